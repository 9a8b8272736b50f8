"""The support view of one person: "did my notice arrive?" and everything after it.

Never a code: notice codes and activation codes appear as when and how they were issued and
whether used, as the database holds only their hashes (activation codes encrypted, not shown).
"""

from dataclasses import dataclass
from datetime import UTC, datetime

from portal.claims.status import staff_status_words
from portal.constants import Channel
from portal.core.taxonomy import load_taxonomy
from portal.dao.claims import dao_get_person_claims
from portal.dao.exclusions import dao_get_person_exclusions
from portal.dao.monitoring import dao_get_person_enrollments
from portal.dao.notification_events import dao_get_notification_events
from portal.dao.notifications import dao_get_person_notifications
from portal.dao.updates import dao_get_person_subscriptions
from portal.exposure.checklist import checklist_for, completed_steps, progress_of
from portal.models import Batch, Notification, Person


@dataclass(frozen=True)
class DeliveryLine:
    event: str
    at: datetime
    reason: str


@dataclass(frozen=True)
class NoticeLine:
    notification: Notification
    batch: Batch
    template: str
    version: int
    events: list[DeliveryLine]


@dataclass(frozen=True)
class ChecklistLine:
    incident_title: str
    category_title: str
    done: int
    total: int


@dataclass(frozen=True)
class PersonHistory:
    emails: list[NoticeLine]
    letters: list[NoticeLine]
    checklist: list[ChecklistLine]
    claims: list
    enrollments: list
    subscriptions: list
    exclusions: list
    claim_status_words: object


def _checklist(person: Person, exposures_by_incident) -> list[ChecklistLine]:
    taxonomy, completed = load_taxonomy(), completed_steps(person)
    lines = []
    for incident, exposure_lines in exposures_by_incident:
        for code in sorted({line.exposure.category for line in exposure_lines}):
            category = taxonomy.get(code)
            if category is None:
                continue
            progress = progress_of(checklist_for(incident.id, category, person.country, completed))
            lines.append(ChecklistLine(incident.title, category.title, progress.done, progress.total))
    return lines


def person_history(person: Person, exposures_by_incident) -> PersonHistory:
    rows = dao_get_person_notifications(person.id)
    events = dao_get_notification_events([n.id for n, *_ in rows])
    lines = [
        NoticeLine(
            notification,
            batch,
            template,
            version,
            [
                DeliveryLine(e.event, datetime.fromtimestamp(e.occurred_at, UTC), e.reason)
                for e in events.get(notification.id, [])
            ],
        )
        for notification, batch, template, version in rows
    ]
    return PersonHistory(
        emails=[line for line in lines if line.batch.channel != Channel.LETTER],
        letters=[line for line in lines if line.batch.channel == Channel.LETTER],
        checklist=_checklist(person, exposures_by_incident),
        claims=dao_get_person_claims(person.id),
        enrollments=dao_get_person_enrollments(person.id),
        subscriptions=dao_get_person_subscriptions(person.id),
        exclusions=dao_get_person_exclusions(person.id),
        claim_status_words=staff_status_words,
    )

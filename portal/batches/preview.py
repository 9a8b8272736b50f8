"""The rendered notice for any recipient of a batch, row by row, and the admin's test send.

Before approval the recipients are the live audience (the same query the freeze will run); after
it they are the frozen notifications. Either way the notice code shown is a sample that can never
verify: real codes exist only in the message that is sent and, hashed, in the database.
"""

from dataclasses import dataclass

from portal.audit.chain import record_audit
from portal.batches.audience import audience_query, language_for
from portal.constants import AuditAction, BatchStatus, MailKind
from portal.dao.batches import (
    dao_first_person_id,
    dao_frozen_recipients,
    dao_get_notification_for_person,
    dao_recipient_neighbours,
)
from portal.dao.incidents import dao_get_incident
from portal.dao.people import dao_get_person, dao_get_person_by_contractor_id, dao_get_person_by_uid
from portal.dao.templates import dao_get_template_version
from portal.extensions import db
from portal.legal.variants import variant_in_language
from portal.mail import Message, send_message
from portal.mail.rendering import RenderedNotice, email_html_document, notice_values, render_notice
from portal.models import Batch, Person, StaffUser
from portal.notice_templates.service import SAMPLE_NOTICE_CODE, content_for, sample_person

TEST_SUBJECT_PREFIX = "[TEST] "


@dataclass(frozen=True)
class RecipientPreview:
    person: Person
    language: str
    position: int  # 1-based, in person id order
    previous_uid: str | None
    next_uid: str | None
    rendered: RenderedNotice
    jurisdiction: str = ""  # the notice variant this recipient gets ('' = the default); see portal/legal


def _recipients(batch: Batch):
    """A SELECT of ``person_id`` for everyone the batch reaches (would reach, if still a draft)."""
    if batch.status == BatchStatus.DRAFT:
        return audience_query(batch, Person.id.label("person_id"))
    return dao_frozen_recipients(batch.id)


def _uid(person_id: int | None) -> str | None:
    person = dao_get_person(person_id) if person_id else None
    return person.uid if person else None


def _render(batch: Batch, person: Person, language: str) -> tuple[str, RenderedNotice]:
    version = dao_get_template_version(batch.template_version_id)
    # Legal hook (issue 5): the recipient's region / country variant if the version has one.
    content = variant_in_language(version.contents, person, language) or content_for(version, "en")
    incident = dao_get_incident(batch.incident_id)
    return content.language, render_notice(
        content, notice_values(person, incident, SAMPLE_NOTICE_CODE, content.language)
    )


def _language(batch: Batch, person: Person) -> str:
    if batch.status != BatchStatus.DRAFT:
        notification = dao_get_notification_for_person(batch.id, person.id)
        if notification is not None:
            return notification.language
    version = dao_get_template_version(batch.template_version_id)
    return language_for(person.preferred_language, [c.language for c in version.contents])


def preview_recipient(batch: Batch, uid: str | None = None) -> RecipientPreview | None:
    """The notice for the recipient with ``uid`` (the first one if None); None if they are not in the batch."""
    recipients = _recipients(batch)
    if uid:
        person = dao_get_person_by_uid(uid)
    else:
        first = dao_first_person_id(recipients)
        person = dao_get_person(first) if first else None
    if person is None:
        return None
    inside, position, previous_id, next_id = dao_recipient_neighbours(recipients, person.id)
    if not inside:
        return None
    language, rendered = _render(batch, person, _language(batch, person))
    variant = variant_in_language(dao_get_template_version(batch.template_version_id).contents, person, language)
    return RecipientPreview(
        person, language, position, _uid(previous_id), _uid(next_id), rendered, variant.jurisdiction if variant else ""
    )


def find_recipient_uid(batch: Batch, contractor_id: str) -> str | None:
    """The uid of the recipient with this contractor id, if they are in the batch."""
    person = dao_get_person_by_contractor_id(contractor_id.strip())
    if person is None or preview_recipient(batch, person.uid) is None:
        return None
    return person.uid


def send_test(batch: Batch, uid: str | None, staff: StaffUser) -> str:
    """Mail the notice, as ``uid`` (or the first recipient, or a made-up person) would get it, to the admin.

    Returns the address it went to. The code in it is the sample code, so a test never works at /check.
    """
    preview = preview_recipient(batch, uid)
    if preview is not None:
        language, rendered, who = preview.language, preview.rendered, f"person:{preview.person.uid}"
    else:
        incident = dao_get_incident(batch.incident_id)
        language, rendered = _render(batch, sample_person(incident, "en"), "en")
        who = "sample"
    send_message(
        Message(
            kind=MailKind.BATCH_TEST,
            to_address=staff.email,
            subject=TEST_SUBJECT_PREFIX + rendered.subject,
            body_text=rendered.text,
            body_html=email_html_document(rendered.html, language),
        )
    )
    record_audit(AuditAction.BATCH_TEST_SENT, f"batch:{batch.id}", {"rendered_for": who, "language": language})
    db.session.commit()
    return staff.email

"""What the batch page shows: counts by status, progress, failures, unknowns and who did what.

The numbers come from the sending engine's ``batch_status_counts`` (the database is the truth),
and are turned into widths in steps of 5 % here, because the strict CSP allows no inline style:
the page and ``static/js/batch-progress.js`` only swap ``bar-w-<n>`` classes.
"""

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l

from portal.batches.audience import batch_audience
from portal.constants import (
    BATCH_CANCELLABLE,
    BATCH_FINISHED,
    NOTIFICATION_PENDING,
    NOTIFICATION_UNDELIVERABLE,
    NOTIFICATION_WAITING_FOR_ADMIN,
    AuditAction,
    BatchStatus,
    Channel,
    NotificationStatus,
)
from portal.dao.batches import (
    dao_count_notifications,
    dao_get_batch_audit_events,
    dao_get_notifications_with_people,
    dao_get_staff_emails,
)
from portal.dao.incidents import dao_get_incident
from portal.dao.templates import dao_get_template, dao_get_template_version
from portal.models import Batch, Notification
from portal.sending.service import batch_status_counts

LIST_LIMIT = 100
SYSTEM_ACTOR_LABEL = _l("The portal (sending engine)")

BATCH_STATUS_LABELS = {
    BatchStatus.DRAFT: _l("Draft: waiting for approval"),
    BatchStatus.APPROVED: _l("Approved"),
    BatchStatus.SCHEDULED: _l("Scheduled"),
    BatchStatus.SENDING: _l("Sending"),
    BatchStatus.SENT: _l("Sent"),
    BatchStatus.CANCELLED: _l("Cancelled"),
    BatchStatus.STOPPED: _l("Stopped"),
}
OUTCOME_LABELS = {
    NotificationStatus.QUEUED: _l("Queued"),
    NotificationStatus.SENDING: _l("Sending"),
    NotificationStatus.POSTING: _l("Sending"),
    NotificationStatus.ACCEPTED: _l("Accepted by the mail service"),
    NotificationStatus.DEFERRED: _l("Deferred (still trying)"),
    NotificationStatus.DELIVERED: _l("Delivered"),
    NotificationStatus.BOUNCED: _l("Bounced"),
    NotificationStatus.DROPPED: _l("Dropped"),
    NotificationStatus.FAILED: _l("Failed"),
    NotificationStatus.UNKNOWN: _l("Unknown: needs a decision"),
    NotificationStatus.CANCELLED: _l("Cancelled"),
}
ACTION_LABELS = {
    AuditAction.BATCH_CREATED: _l("Created"),
    AuditAction.BATCH_AUDIENCE_CHANGED: _l("Changed the audience"),
    AuditAction.BATCH_SCHEDULED: _l("Changed the schedule"),
    AuditAction.BATCH_TEST_SENT: _l("Sent a test to themselves"),
    AuditAction.BATCH_APPROVED: _l("Approved"),
    AuditAction.BATCH_SEND_STARTED: _l("Sending started"),
    AuditAction.BATCH_STOPPED: _l("Sending stopped: the mail service refused the portal's credentials"),
    AuditAction.BATCH_SENT: _l("Finished: nothing left to send"),
    AuditAction.BATCH_CANCELLED: _l("Cancelled"),
    AuditAction.BATCH_FAILED_RETRIED: _l("Retried the failed notifications"),
    AuditAction.BATCH_UNKNOWN_RESOLVED: _l("Decided on notifications in an unknown state"),
    AuditAction.LETTER_FILE_CREATED: _l("Letter file made"),
    AuditAction.LETTER_FILE_DOWNLOADED: _l("Downloaded the letter file"),
}


def width_step(count: int, total: int) -> int:
    """``count``/``total`` as a width in steps of 5; anything above zero shows at least one step."""
    if count <= 0 or total <= 0:
        return 0
    return max(5, min(100, round(count * 20 / total) * 5))


@dataclass(frozen=True)
class Outcome:
    status: str
    label: str
    count: int
    step: int


@dataclass(frozen=True)
class BatchProgress:
    status: str
    status_label: str
    total: int
    done: int  # no longer queued or sending
    percent: int
    outcomes: list[Outcome]
    finished: bool

    def count(self, status: str) -> int:
        return next((o.count for o in self.outcomes if o.status == status), 0)

    def to_json(self) -> dict:
        return {
            "status": self.status,
            "status_label": self.status_label,
            "total": self.total,
            "done": self.done,
            "percent": self.percent,
            "finished": self.finished,
            "outcomes": [{"status": o.status, "count": o.count, "step": o.step} for o in self.outcomes],
        }


def _status_counts(batch: Batch) -> dict[str, int]:
    if batch.status == BatchStatus.DRAFT:
        return {}
    return batch_status_counts(batch.id)


def batch_progress(batch: Batch) -> BatchProgress:
    counts = _status_counts(batch)
    total = sum(counts.values())
    pending = sum(counts.get(status, 0) for status in NOTIFICATION_PENDING)
    done = total - pending
    outcomes = [
        Outcome(status, str(label), counts.get(status, 0), width_step(counts.get(status, 0), total))
        for status, label in OUTCOME_LABELS.items()
    ]
    return BatchProgress(
        status=batch.status,
        status_label=str(BATCH_STATUS_LABELS.get(batch.status, batch.status)),
        total=total,
        done=done,
        percent=done * 100 // total if total else 0,
        outcomes=outcomes,
        finished=batch.status in (*BATCH_FINISHED, BatchStatus.STOPPED),
    )


@dataclass(frozen=True)
class HistoryLine:
    at: datetime
    who: str
    what: str
    details: str


@dataclass(frozen=True)
class BatchPage:
    batch: Batch
    incident_title: str
    template_name: str
    template_id: int
    version_number: int
    languages: list[str]
    audience_lines: list[str]
    people: dict[str, str]  # created / approved / cancelled → staff email
    progress: BatchProgress
    failures: list[tuple[Notification, str, str]]
    failure_count: int
    unknowns: list[tuple[Notification, str, str]]
    unknown_count: int
    bounced_count: int
    history: list[HistoryLine]
    cancellable: bool


def _history(batch: Batch, emails: dict[int, str]) -> list[HistoryLine]:
    events = dao_get_batch_audit_events(batch.id, ACTION_LABELS)
    actor_ids = {int(e.actor.split(":")[1]) for e in events if e.actor.startswith("staff:")}
    emails = {**emails, **dao_get_staff_emails(actor_ids)}
    lines = []
    for event in events:
        who = event.actor
        if who.startswith("staff:"):
            who = emails.get(int(who.split(":")[1]), who)
        elif who.startswith("system:"):
            who = str(SYSTEM_ACTOR_LABEL)
        lines.append(HistoryLine(event.at, who, str(ACTION_LABELS.get(event.action, event.action)), event.details))
    return lines


def batch_page(batch: Batch) -> BatchPage:
    version = dao_get_template_version(batch.template_version_id)
    template = dao_get_template(version.template_id)
    emails = dao_get_staff_emails([batch.created_by_id, batch.approved_by_id, batch.cancelled_by_id])
    people = {
        role: emails.get(user_id, "")
        for role, user_id in (
            ("created", batch.created_by_id),
            ("approved", batch.approved_by_id),
            ("cancelled", batch.cancelled_by_id),
        )
    }
    return BatchPage(
        batch=batch,
        incident_title=dao_get_incident(batch.incident_id).title,
        template_name=template.name,
        template_id=template.id,
        version_number=version.version,
        languages=sorted(c.language for c in version.contents),
        audience_lines=batch_audience(batch).describe(),
        people=people,
        progress=batch_progress(batch),
        failures=dao_get_notifications_with_people(batch.id, NOTIFICATION_UNDELIVERABLE, LIST_LIMIT),
        failure_count=dao_count_notifications(batch.id, NOTIFICATION_UNDELIVERABLE),
        unknowns=dao_get_notifications_with_people(batch.id, NOTIFICATION_WAITING_FOR_ADMIN, LIST_LIMIT),
        unknown_count=dao_count_notifications(batch.id, NOTIFICATION_WAITING_FOR_ADMIN),
        bounced_count=dao_count_notifications(batch.id, (NotificationStatus.BOUNCED, NotificationStatus.DROPPED))
        if batch.channel == Channel.EMAIL
        else 0,
        history=_history(batch, emails),
        cancellable=batch.status in BATCH_CANCELLABLE,
    )

"""Batches and their notifications as a whole: the freeze, paging through recipients, letters, the
batch page, and what the sender asks of a batch (which is due, what is left, when it is done)."""

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import exists, func, insert, literal, or_, select, update
from sqlalchemy.sql import Select

from portal.constants import NOTIFICATION_PENDING, BatchStatus, NotificationStatus
from portal.extensions import db
from portal.models import (
    AuditEvent,
    Batch,
    Incident,
    NoticeTemplate,
    NoticeTemplateContent,
    NoticeTemplateVersion,
    Notification,
    Person,
    StaffUser,
)
from portal.models._types import UTCDateTime

FREEZE_COLUMNS = (
    "batch_id",
    "person_id",
    "language",
    "jurisdiction",
    "status",
    "attempts",
    "provider_message_id",
    "last_error",
    "last_event_at",
    "updated_at",
)


def dao_add_batch(batch: Batch) -> Batch:
    db.session.add(batch)
    db.session.flush()  # the id goes into the audit event written in the same transaction
    return batch


def dao_get_batch(batch_id: int) -> Batch | None:
    return db.session.get(Batch, batch_id)


def dao_get_batches_with_templates(limit: int = 200) -> list[tuple[Batch, Incident, NoticeTemplate, int]]:
    rows = db.session.execute(
        select(Batch, Incident, NoticeTemplate, NoticeTemplateVersion.version)
        .join(Incident, Incident.id == Batch.incident_id)
        .join(NoticeTemplateVersion, NoticeTemplateVersion.id == Batch.template_version_id)
        .join(NoticeTemplate, NoticeTemplate.id == NoticeTemplateVersion.template_id)
        .order_by(Batch.id.desc())
        .limit(limit)
    )
    return [tuple(row) for row in rows]


def dao_count(query: Select) -> int:
    return db.session.scalar(select(func.count()).select_from(query.subquery())) or 0


def dao_frozen_recipients(batch_id: int) -> Select:
    """A SELECT of ``person_id`` for the notifications an approved batch was frozen into."""
    return select(Notification.person_id.label("person_id")).where(Notification.batch_id == batch_id)


def dao_first_person_id(recipients: Select) -> int | None:
    """``recipients`` selects a ``person_id`` column."""
    people = recipients.subquery()
    return db.session.scalar(select(func.min(people.c.person_id)))


def dao_recipient_neighbours(recipients: Select, person_id: int) -> tuple[bool, int, int | None, int | None]:
    """Whether ``person_id`` is a recipient, its 1-based position, and the previous and next person ids."""
    people = recipients.subquery()
    pid = people.c.person_id
    row = db.session.execute(
        select(
            exists(select(pid).where(pid == person_id)),
            select(func.count()).where(pid <= person_id).scalar_subquery(),
            select(func.max(pid)).where(pid < person_id).scalar_subquery(),
            select(func.min(pid)).where(pid > person_id).scalar_subquery(),
        )
    ).one()
    return bool(row[0]), row[1] or 0, row[2], row[3]


def dao_get_notification_for_person(batch_id: int, person_id: int) -> Notification | None:
    return db.session.scalar(
        select(Notification).where(Notification.batch_id == batch_id, Notification.person_id == person_id)
    )


def dao_claim_batch_for_approval(batch_id: int, status: str, approver_id: int, at: datetime) -> bool:
    """Move a draft to approved/scheduled. One conditional UPDATE: of two racing approvals, one wins."""
    result = db.session.execute(
        update(Batch)
        .where(Batch.id == batch_id, Batch.status == BatchStatus.DRAFT)
        .values(status=status, approved_by_id=approver_id, approved_at=at)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def dao_repin_draft_template(batch_id: int, version_id: int) -> bool:
    """Point a draft at another template version. Conditional: an approved batch keeps what it froze."""
    result = db.session.execute(
        update(Batch)
        .where(Batch.id == batch_id, Batch.status == BatchStatus.DRAFT)
        .values(template_version_id=version_id)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def dao_freeze_audience(batch_id: int, audience: Select, at: datetime) -> int:
    """Write one queued Notification per recipient with a single INSERT … SELECT; returns how many.

    ``audience`` selects ``person_id``, ``language`` and optionally ``jurisdiction``. The people
    never travel through Python, so a million recipients is one statement, and the unique
    (batch, person) key makes a second freeze of the same batch fail rather than double anyone.
    """
    people = audience.subquery()
    # Legal hook (issue 5): the audience may carry each recipient's notice variant (jurisdiction).
    jurisdiction = people.c.get("jurisdiction", literal(""))
    rows = select(
        literal(batch_id),
        people.c.person_id,
        people.c.language,
        jurisdiction,
        literal(NotificationStatus.QUEUED.value),
        literal(0),
        literal(""),
        literal(""),
        literal(0),
        literal(at, UTCDateTime),
    )
    # SQLAlchemy keeps an INSERT's rowcount only when asked (psycopg's cursor is closed by then).
    statement = insert(Notification).from_select(FREEZE_COLUMNS, rows).execution_options(preserve_rowcount=True)
    return db.session.execute(statement).rowcount


def dao_count_notifications(batch_id: int, statuses: Iterable[str] | None = None) -> int:
    query = select(func.count(Notification.id)).where(Notification.batch_id == batch_id)
    if statuses is not None:
        query = query.where(Notification.status.in_(list(statuses)))
    return db.session.scalar(query) or 0


def dao_get_notifications_with_people(
    batch_id: int, statuses: Iterable[str], limit: int = 100
) -> list[tuple[Notification, str, str]]:
    """(notification, contractor id, person uid): identifiers only, never names or addresses."""
    rows = db.session.execute(
        select(Notification, Person.contractor_id, Person.uid)
        .join(Person, Person.id == Notification.person_id)
        .where(Notification.batch_id == batch_id, Notification.status.in_(list(statuses)))
        .order_by(Notification.id)
        .limit(limit)
    )
    return [tuple(row) for row in rows]


def dao_get_letter_rows(batch_id: int, after_id: int, limit: int) -> list[tuple[Notification, Person]]:
    rows = db.session.execute(
        select(Notification, Person)
        .join(Person, Person.id == Notification.person_id)
        .where(Notification.batch_id == batch_id, Notification.id > after_id)
        .order_by(Notification.id)
        .limit(limit)
    )
    return [tuple(row) for row in rows]


def dao_mark_letters_accepted(batch_id: int, at: datetime) -> int:
    """A letter is "accepted" once it is in the print vendor's file."""
    result = db.session.execute(
        update(Notification)
        .where(Notification.batch_id == batch_id, Notification.status == NotificationStatus.QUEUED)
        .values(status=NotificationStatus.ACCEPTED, accepted_at=at, updated_at=at)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount


def dao_get_batch_audit_events(batch_id: int, actions: Iterable[str]) -> list[AuditEvent]:
    # Filtering on the indexed action first keeps this cheap in an audit log of millions of rows.
    return list(
        db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.action.in_(list(actions)), AuditEvent.target == f"batch:{batch_id}")
            .order_by(AuditEvent.id)
        )
    )


def dao_get_staff_emails(user_ids: Iterable[int]) -> dict[int, str]:
    ids = sorted({user_id for user_id in user_ids if user_id})
    if not ids:
        return {}
    return dict(db.session.execute(select(StaffUser.id, StaffUser.email).where(StaffUser.id.in_(ids))).all())


def dao_count_recipients_by_place(recipients: Select) -> list[tuple[str, str, str, int]]:
    """(language, country, region, how many) over a recipients query selecting those three columns."""
    inner = recipients.subquery()
    query = select(inner.c.language, inner.c.country, inner.c.region, func.count()).group_by(
        inner.c.language, inner.c.country, inner.c.region
    )
    return [(lang, country or "", region or "", n) for lang, country, region, n in db.session.execute(query)]


# -- for the sender ---------------------------------------------------------------------------------

S = NotificationStatus


def _due(now: datetime):
    return or_(Notification.next_attempt_at.is_(None), Notification.next_attempt_at <= now)


def batch_not_paused(now: datetime):
    """The batch is not waiting out a 429's reset."""
    return or_(Batch.paused_until.is_(None), Batch.paused_until <= now)


def dao_pause_batch(batch_id: int, until: datetime) -> None:
    """No chunk of the batch is posted before ``until`` (a later pause already set is kept)."""
    db.session.execute(
        update(Batch)
        .where(Batch.id == batch_id, or_(Batch.paused_until.is_(None), Batch.paused_until < until))
        .values(paused_until=until)
        .execution_options(synchronize_session=False)
    )


def dao_get_batch_for_update(batch_id: int) -> Batch | None:
    """The batch row, locked until commit on PostgreSQL, so status changes do not interleave."""
    return db.session.scalar(select(Batch).where(Batch.id == batch_id).with_for_update())


def dao_lock_batch(batch_id: int, for_update: bool = False) -> tuple[str | None, datetime | None]:
    """The batch's status and pause, its row locked until commit: FOR SHARE (a cancel or a stop
    waits for us, other settlers do not), or FOR UPDATE to change it. Taken before any of its
    notifications."""
    statement = select(Batch.status, Batch.paused_until).where(Batch.id == batch_id)
    row = db.session.execute(statement.with_for_update(read=not for_update)).first()
    return (row[0], row[1]) if row else (None, None)


def dao_cancel_batch(batch_id: int, cancellable, now: datetime, cancelled_by_id: int | None) -> bool:
    """``UPDATE … SET status = cancelled WHERE status IN cancellable``; False if another request got there first."""
    values = {"status": BatchStatus.CANCELLED, "cancelled_at": now}
    if cancelled_by_id:
        values["cancelled_by_id"] = cancelled_by_id
    result = db.session.execute(
        update(Batch)
        .where(Batch.id == batch_id, Batch.status.in_(list(cancellable)))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def dao_get_due_scheduled_batch_ids(now: datetime) -> list[int]:
    return list(
        db.session.scalars(
            select(Batch.id).where(Batch.status == BatchStatus.SCHEDULED, Batch.scheduled_for <= now).order_by(Batch.id)
        )
    )


def dao_finish_batch_if_done(batch_id: int, now: datetime) -> bool:
    """SENDING -> SENT once nothing is queued or sending (unknown rows wait for an admin).

    The batch row is locked first: two workers finishing the last two chunks at once would each
    still see the other's rows ``sending`` and neither would finish the batch. With the lock the
    second one waits, then its check sees the first one's commit.
    """
    db.session.execute(select(Batch.id).where(Batch.id == batch_id).with_for_update())
    pending = exists().where(Notification.batch_id == batch_id, Notification.status.in_(NOTIFICATION_PENDING))
    result = db.session.execute(
        update(Batch)
        .where(Batch.id == batch_id, Batch.status == BatchStatus.SENDING, ~pending)
        .values(status=BatchStatus.SENT, finished_at=now)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def dao_get_sending_batch_ids() -> list[int]:
    return list(db.session.scalars(select(Batch.id).where(Batch.status == BatchStatus.SENDING)))


def dao_count_notifications_by_status(batch_id: int) -> dict[str, int]:
    rows = db.session.execute(
        select(Notification.status, func.count()).where(Notification.batch_id == batch_id).group_by(Notification.status)
    )
    counts = {status.value: 0 for status in NotificationStatus}
    for status, count in rows:
        counts[status] = count
    return counts


def dao_count_due_notifications(now: datetime, batch_id: int | None = None, at_most: int | None = None) -> int:
    """Queued notifications of sending batches that are due (of one batch; counting no further than
    ``at_most``, so asking "are there that many?" of a million-row batch stays cheap)."""
    query = (
        select(Notification.id)
        .join(Batch, Batch.id == Notification.batch_id)
        .where(Batch.status == BatchStatus.SENDING, Notification.status == S.QUEUED, _due(now))
        .where(batch_not_paused(now))
    )
    if batch_id is not None:
        query = query.where(Batch.id == batch_id)
    if at_most is not None:
        query = query.limit(at_most)
    return db.session.scalar(select(func.count()).select_from(query.subquery())) or 0


def dao_next_attempt_time(now: datetime) -> datetime | None:
    """When the earliest queued notification of a sending batch becomes due (a paused batch's
    rows no earlier than its pause ends)."""
    queued = select(Notification.id).where(Notification.batch_id == Batch.id, Notification.status == S.QUEUED).exists()
    pause_ends = db.session.scalar(
        select(func.min(Batch.paused_until)).where(
            Batch.status == BatchStatus.SENDING, Batch.paused_until > now, queued
        )
    )
    retry = db.session.scalar(
        select(func.min(Notification.next_attempt_at))
        .join(Batch, Batch.id == Notification.batch_id)
        .where(Batch.status == BatchStatus.SENDING, Notification.status == S.QUEUED, batch_not_paused(now))
    )
    found = [moment for moment in (pause_ends, retry) if moment is not None]
    return min(found) if found else None


def dao_find_next_send_group(now: datetime, batch_id: int | None = None) -> tuple[int, int, str, str] | None:
    """(batch id, template version id, language, jurisdiction) of some due queued notification."""
    query = (
        select(Batch.id, Batch.template_version_id, Notification.language, Notification.jurisdiction)
        .join(Notification, Notification.batch_id == Batch.id)
        .where(Batch.status == BatchStatus.SENDING, Notification.status == S.QUEUED, _due(now))
        .where(batch_not_paused(now))
    )
    if batch_id is not None:
        query = query.where(Batch.id == batch_id)
    row = db.session.execute(query.order_by(Batch.id).limit(1)).first()
    return tuple(row) if row else None


def dao_get_template_contents(version_id: int) -> list[NoticeTemplateContent]:
    return list(db.session.scalars(select(NoticeTemplateContent).where(NoticeTemplateContent.version_id == version_id)))

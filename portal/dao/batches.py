"""Batches and their notifications: the freeze, paging through recipients, letters, the batch page."""

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import exists, func, insert, literal, select, update
from sqlalchemy.sql import Select

from portal.constants import BatchStatus, NotificationStatus
from portal.extensions import db
from portal.models import (
    AuditEvent,
    Batch,
    Incident,
    NoticeTemplate,
    NoticeTemplateVersion,
    Notification,
    Person,
    StaffUser,
)
from portal.models._types import UTCDateTime

# Small enough for any database's parameter limit, large enough that a 100,000-id upload is 200 queries.
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

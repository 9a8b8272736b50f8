"""Queries for sending notices: claiming chunks, recording outcomes, counts, delivery events.

The hot path (claim, issue codes, record the answer) uses Core statements over whole chunks so a
batch of a million costs a few thousand statements, not millions of ORM objects.
"""

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import and_, bindparam, exists, func, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from portal.constants import NOTIFICATION_PENDING, BatchStatus, NotificationStatus
from portal.extensions import db
from portal.models import (
    Batch,
    Exposure,
    Incident,
    NoticeCode,
    NoticeTemplateContent,
    Notification,
    NotificationEvent,
    Person,
)

N = Notification.__table__
S = NotificationStatus


def _due(now: datetime):
    return or_(Notification.next_attempt_at.is_(None), Notification.next_attempt_at <= now)


# -- batches --------------------------------------------------------------------------------------


def dao_get_batch(batch_id: int) -> Batch | None:
    return db.session.get(Batch, batch_id)


def dao_get_batch_for_update(batch_id: int) -> Batch | None:
    """The batch row, locked until commit on PostgreSQL, so status changes do not interleave."""
    return db.session.scalar(select(Batch).where(Batch.id == batch_id).with_for_update())


def dao_get_incident(incident_id: int) -> Incident | None:
    return db.session.get(Incident, incident_id)


def dao_get_due_scheduled_batch_ids(now: datetime) -> list[int]:
    return list(
        db.session.scalars(
            select(Batch.id).where(Batch.status == BatchStatus.SCHEDULED, Batch.scheduled_for <= now).order_by(Batch.id)
        )
    )


def dao_finish_batch_if_done(batch_id: int, now: datetime) -> bool:
    """SENDING -> SENT once nothing is queued or sending (unknown rows wait for an admin)."""
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


# -- counts ---------------------------------------------------------------------------------------


def dao_count_notifications_by_status(batch_id: int) -> dict[str, int]:
    rows = db.session.execute(
        select(Notification.status, func.count()).where(Notification.batch_id == batch_id).group_by(Notification.status)
    )
    counts = {status.value: 0 for status in NotificationStatus}
    for status, count in rows:
        counts[status] = count
    return counts


def dao_count_due_notifications(now: datetime) -> int:
    return (
        db.session.scalar(
            select(func.count())
            .select_from(Notification)
            .join(Batch, Batch.id == Notification.batch_id)
            .where(Batch.status == BatchStatus.SENDING, Notification.status == S.QUEUED, _due(now))
        )
        or 0
    )


def dao_next_attempt_time() -> datetime | None:
    """When the earliest queued notification of a sending batch becomes due."""
    return db.session.scalar(
        select(func.min(Notification.next_attempt_at))
        .join(Batch, Batch.id == Notification.batch_id)
        .where(Batch.status == BatchStatus.SENDING, Notification.status == S.QUEUED)
    )


# -- claiming -------------------------------------------------------------------------------------


def dao_find_next_send_group(now: datetime, batch_id: int | None = None) -> tuple[int, int, str, str] | None:
    """(batch id, template version id, language, jurisdiction) of some due queued notification."""
    query = (
        select(Batch.id, Batch.template_version_id, Notification.language, Notification.jurisdiction)
        .join(Notification, Notification.batch_id == Batch.id)
        .where(Batch.status == BatchStatus.SENDING, Notification.status == S.QUEUED, _due(now))
    )
    if batch_id is not None:
        query = query.where(Batch.id == batch_id)
    row = db.session.execute(query.order_by(Batch.id).limit(1)).first()
    return tuple(row) if row else None


def dao_get_template_contents(version_id: int) -> list[NoticeTemplateContent]:
    return list(db.session.scalars(select(NoticeTemplateContent).where(NoticeTemplateContent.version_id == version_id)))


def dao_claim_notifications(
    batch_id: int, language: str, jurisdiction: str, now: datetime, limit: int
) -> list[tuple[int, int]]:
    """Mark up to ``limit`` due queued rows of one content ``sending``; (id, person id) of each.

    One statement: on PostgreSQL the subquery's FOR UPDATE SKIP LOCKED lets many workers claim
    side by side without waiting on or double-claiming each other's rows; on SQLite the UPDATE
    takes the database write lock first, so two senders cannot claim the same row either. The
    batch must still be SENDING in the same statement, so a cancel that committed first wins.
    """
    batch_sending = exists().where(Batch.id == batch_id, Batch.status == BatchStatus.SENDING)
    candidates = (
        select(Notification.id)
        .where(
            Notification.batch_id == batch_id,
            Notification.status == S.QUEUED,
            Notification.language == language,
            Notification.jurisdiction == jurisdiction,
            _due(now),
            batch_sending,
        )
        .limit(limit)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    rows = db.session.execute(
        update(Notification)
        .where(Notification.id.in_(candidates))
        .values(status=S.SENDING, claimed_at=now, attempts=Notification.attempts + 1)
        .returning(Notification.id, Notification.person_id)
        .execution_options(synchronize_session=False)
    )
    return [(notification_id, person_id) for notification_id, person_id in rows]


def dao_get_recipients(person_ids: Iterable[int]) -> dict[int, tuple[str, str, str]]:
    rows = db.session.execute(
        select(Person.id, Person.first_name, Person.last_name, Person.email).where(Person.id.in_(list(person_ids)))
    )
    return {person_id: (first, last, email) for person_id, first, last, email in rows}


def dao_get_exposed_categories(incident_id: int, person_ids: Iterable[int]) -> dict[int, list[str]]:
    rows = db.session.execute(
        select(Exposure.person_id, Exposure.category).where(
            Exposure.incident_id == incident_id, Exposure.person_id.in_(list(person_ids))
        )
    )
    found: dict[int, list[str]] = defaultdict(list)
    for person_id, category in rows:
        found[person_id].append(category)
    return found


def dao_add_notice_codes(rows: list[dict]) -> list[int]:
    """Insert NoticeCode rows (person_id, incident_id, code_hash, source, created_at); ids in order."""
    result = db.session.execute(insert(NoticeCode).returning(NoticeCode.id, sort_by_parameter_order=True), rows)
    return [row[0] for row in result]


def dao_attach_notice_codes(pairs: list[dict]) -> None:
    """``pairs``: {"nid": notification id, "cid": notice code id}."""
    db.session.connection().execute(
        N.update().where(N.c.id == bindparam("nid")).values(notice_code_id=bindparam("cid")), pairs
    )


# -- outcomes -------------------------------------------------------------------------------------


def dao_mark_accepted(ids: list[int], message_id: str, now: datetime, delivered: bool = False) -> int:
    """202: SendGrid has them. Also settles rows the reaper marked unknown meanwhile: now we know."""
    values = {
        "status": S.DELIVERED if delivered else S.ACCEPTED,
        "provider_message_id": message_id[:100],
        "accepted_at": now,
        "last_error": "",
        "next_attempt_at": None,
    }
    if delivered:
        values["delivered_at"] = now
    result = db.session.execute(
        update(Notification)
        .where(Notification.id.in_(ids), Notification.status.in_((S.SENDING, S.UNKNOWN)))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount


def dao_revoke_codes_of(ids: list[int], now: datetime) -> None:
    """The codes issued with these notifications were never mailed: nobody can have them."""
    codes = select(Notification.notice_code_id).where(
        Notification.id.in_(ids), Notification.notice_code_id.is_not(None)
    )
    db.session.execute(
        update(NoticeCode)
        .where(NoticeCode.id.in_(codes), NoticeCode.revoked_at.is_(None))
        .values(revoked_at=now)
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        update(Notification)
        .where(Notification.id.in_(ids))
        .values(notice_code_id=None)
        .execution_options(synchronize_session=False)
    )


def dao_requeue(ids: list[int], next_attempt_at: datetime | None, error: str, refund_attempt: bool) -> int:
    values = {"status": S.QUEUED, "next_attempt_at": next_attempt_at, "last_error": error, "claimed_at": None}
    if refund_attempt:
        values["attempts"] = Notification.attempts - 1
    result = db.session.execute(
        update(Notification)
        .where(Notification.id.in_(ids), Notification.status == S.SENDING)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount


def dao_get_attempts(ids: list[int]) -> dict[int, int]:
    rows = db.session.execute(select(Notification.id, Notification.attempts).where(Notification.id.in_(ids)))
    return {notification_id: attempts for notification_id, attempts in rows}


def dao_mark_failed(ids: list[int], error: str, now: datetime, from_statuses=(S.SENDING,)) -> int:
    result = db.session.execute(
        update(Notification)
        .where(Notification.id.in_(ids), Notification.status.in_(from_statuses))
        .values(status=S.FAILED, last_error=error, failed_at=now, next_attempt_at=None)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount


def dao_mark_unknown(ids: list[int], error: str) -> int:
    result = db.session.execute(
        update(Notification)
        .where(Notification.id.in_(ids), Notification.status == S.SENDING)
        .values(status=S.UNKNOWN, last_error=error)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount


def dao_mark_stale_sending_unknown(claimed_before: datetime, error: str) -> tuple[int, list[int]]:
    """Rows claimed before ``claimed_before`` and still ``sending`` -> unknown: (how many, batch ids)."""
    stale = and_(Notification.status == S.SENDING, Notification.claimed_at < claimed_before)
    batch_ids = list(db.session.scalars(select(Notification.batch_id).where(stale).distinct()))
    if not batch_ids:
        return 0, []
    result = db.session.execute(
        update(Notification)
        .where(stale)
        .values(status=S.UNKNOWN, last_error=error)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount, batch_ids


# -- admin decisions ------------------------------------------------------------------------------


def dao_cancel_queued(batch_id: int, now: datetime) -> int:
    result = db.session.execute(
        update(Notification)
        .where(Notification.batch_id == batch_id, Notification.status == S.QUEUED)
        .values(status=S.CANCELLED, next_attempt_at=None)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount


def dao_requeue_batch_rows(batch_id: int, status: str, ids: list[int] | None = None) -> int:
    """``status`` rows of the batch (optionally only ``ids``) back to queued with a fresh attempt count."""
    condition = and_(Notification.batch_id == batch_id, Notification.status == status)
    if ids is not None:
        condition = and_(condition, Notification.id.in_(ids))
    result = db.session.execute(
        update(Notification)
        .where(condition)
        .values(status=S.QUEUED, attempts=0, next_attempt_at=None, claimed_at=None, failed_at=None)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount


def dao_mark_unknown_sent(batch_id: int, ids: list[int] | None, now: datetime) -> int:
    condition = and_(Notification.batch_id == batch_id, Notification.status == S.UNKNOWN)
    if ids is not None:
        condition = and_(condition, Notification.id.in_(ids))
    result = db.session.execute(
        update(Notification)
        .where(condition)
        .values(status=S.ACCEPTED, accepted_at=now)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount


# -- delivery events ------------------------------------------------------------------------------


def dao_get_notification(notification_id: int) -> Notification | None:
    return db.session.get(Notification, notification_id)


def dao_notification_exists(notification_id: int) -> bool:
    return db.session.scalar(select(Notification.id).where(Notification.id == notification_id)) is not None


def dao_get_notification_for_update(notification_id: int) -> Notification | None:
    """Fresh from the database (not the session's copy), row-locked until commit on PostgreSQL."""
    return db.session.get(Notification, notification_id, with_for_update=True, populate_existing=True)


def dao_record_notification_event(values: dict) -> bool:
    """Insert the event unless its sg_event_id or dedupe key is known; True if it was new."""
    dialect = db.session.get_bind().dialect.name
    statement = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(NotificationEvent).values(**values)
    # RETURNING, not rowcount: with an implicit RETURNING the driver reports rowcount -1.
    inserted = db.session.execute(statement.on_conflict_do_nothing().returning(NotificationEvent.id)).first()
    return inserted is not None

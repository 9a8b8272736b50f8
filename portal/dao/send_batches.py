"""Batch-level queries for the sender: which batch is due, what is left, when it is done."""

from datetime import datetime

from sqlalchemy import exists, func, or_, select, update

from portal.constants import NOTIFICATION_PENDING, BatchStatus, NotificationStatus
from portal.extensions import db
from portal.models import Batch, NoticeTemplateContent, Notification

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


def dao_get_batch_status(batch_id: int) -> str | None:
    return db.session.scalar(select(Batch.status).where(Batch.id == batch_id))


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

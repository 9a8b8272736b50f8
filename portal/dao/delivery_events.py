"""Queries for the delivery webhook: the notification an event is about, and the event log."""

from sqlalchemy import select

from portal.dao.sql import upsert_insert
from portal.extensions import db
from portal.models import Notification, NotificationEvent


def dao_get_notification(notification_id: int) -> Notification | None:
    return db.session.get(Notification, notification_id)


def dao_lock_notifications(ids: list[int]) -> dict[int, Notification]:
    """The notifications with these ids, fresh from the database and row-locked until commit.

    One statement, locking in id order (``ORDER BY id FOR UPDATE`` locks rows as it returns
    them), so every caller that locks this way takes its locks in the same order.
    """
    if not ids:
        return {}
    statement = (
        select(Notification)
        .where(Notification.id.in_(ids))
        .order_by(Notification.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return {row.id: row for row in db.session.scalars(statement)}


def dao_record_notification_event(values: dict) -> bool:
    """Insert the event unless its sg_event_id or dedupe key is known; True if it was new."""
    statement = upsert_insert(NotificationEvent).values(**values)
    # RETURNING, not rowcount: with an implicit RETURNING the driver reports rowcount -1.
    inserted = db.session.execute(statement.on_conflict_do_nothing().returning(NotificationEvent.id)).first()
    return inserted is not None

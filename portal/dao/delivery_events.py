"""Queries for the delivery webhook: the notification an event is about, and the event log."""

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from portal.extensions import db
from portal.models import Notification, NotificationEvent


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

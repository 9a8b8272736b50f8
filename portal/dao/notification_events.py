"""Delivery events of notifications (the webhook writes them, the support page reads them), and the
notifications they are about, locked in id order."""

from collections import defaultdict

from sqlalchemy import select

from portal.dao.sql import upsert_insert
from portal.extensions import db
from portal.models import (
    Notification,
    NotificationEvent,
)


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


def dao_get_notification_events(notification_ids: list[int]) -> dict[int, list[NotificationEvent]]:
    if not notification_ids:
        return {}
    query = (
        select(NotificationEvent)
        .where(NotificationEvent.notification_id.in_(notification_ids))
        .order_by(NotificationEvent.occurred_at, NotificationEvent.id)
    )
    events: dict[int, list[NotificationEvent]] = defaultdict(list)
    for event in db.session.scalars(query):
        events[event.notification_id].append(event)
    return dict(events)

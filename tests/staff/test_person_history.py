"""Support answers "did my notice arrive?": the person page shows each notice, its delivery events and the rest."""

import time

from sqlalchemy import select

from portal.constants import Role
from portal.extensions import db
from portal.models import Notification, NotificationEvent, Person, Subscription
from tests.factories import make_batch_with_notifications, sign_in_staff


def test_support_sees_notices_with_delivery_events_and_bounce_reasons(app_ctx, client):
    batch = make_batch_with_notifications(count=1)
    notification = db.session.scalar(select(Notification).where(Notification.batch_id == batch.id))
    person = db.session.get(Person, notification.person_id)
    now = int(time.time())
    db.session.add_all(
        [
            NotificationEvent(notification_id=notification.id, dedupe_key="a" * 64, event="processed", occurred_at=now),
            NotificationEvent(
                notification_id=notification.id,
                dedupe_key="b" * 64,
                event="bounce",
                occurred_at=now + 5,
                reason="550 5.1.1 mailbox does not exist",
            ),
            Subscription(person_id=person.id, incident_id=batch.incident_id, unsubscribe_token_hash="c" * 64),
        ]
    )
    db.session.commit()
    sign_in_staff(client, Role.SUPPORT)
    page = client.get(f"/staff/people/{person.uid}").get_data(as_text=True)
    assert batch.name in page and "version 1" in page and notification.status in page
    assert "bounce" in page and "550 5.1.1 mailbox does not exist" in page and "processed" in page
    assert "No letter has been made for this person." in page
    assert "No claims." in page and "since " in page  # the subscription
    assert "Codes are stored only as keyed hashes" in page

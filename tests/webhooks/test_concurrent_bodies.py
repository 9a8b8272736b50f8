"""SendGrid posts event bodies in parallel, and they overlap: every body answers 200, once.

Before, each body locked its notifications one by one in body order, so two bodies naming the
same notifications in different orders deadlocked, and PostgreSQL's victim answered 500. These
bodies run against a real threaded server, each request on its own database connection.
"""

import random

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Notification, NotificationEvent
from tests.conftest import ON_POSTGRES
from tests.factories import make_batch_with_notifications
from tests.live import app_like, at_once, serving
from tests.webhooks.test_sendgrid_webhook import event, public_key_text, send_signed

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(not ON_POSTGRES, reason="row locks and deadlocks are PostgreSQL's; the PostgreSQL pass runs it"),
]

BODIES = 12
PARALLEL = 8
NOTIFICATIONS = 120
EVENTS_PER_BODY = 250


@pytest.fixture
def webhook_server(app, signing_key):
    application = app_like(
        app,
        SENDGRID_WEBHOOK_PUBLIC_KEY=public_key_text(signing_key),
        SENDGRID_WEBHOOK_RATE_LIMIT="100000 per minute",
    )
    with serving(application, "webhook-server") as url:
        yield url


def test_parallel_shuffled_overlapping_bodies_all_answer_200_and_settle(app_ctx, webhook_server, signing_key):
    batch = make_batch_with_notifications(NOTIFICATIONS)
    ids = db.session.scalars(select(Notification.id).where(Notification.batch_id == batch.id)).all()
    db.session.execute(
        Notification.__table__.update().where(Notification.batch_id == batch.id).values(status="accepted")
    )
    db.session.commit()
    # Every notification gets processed, deferred, delivered; a third of them later bounce.
    everything = []
    for number in ids:
        everything += [event(number, "processed", 100), event(number, "deferred", 110), event(number, "delivered", 120)]
        if number % 3 == 0:
            everything.append(event(number, "bounce", 130, reason="550 gone"))
    rng = random.Random(12)
    # Each body is a shuffled sample of all events: bodies overlap and each names its rows in its own order.
    bodies = [rng.sample(everything, EVENTS_PER_BODY) for _ in range(BODIES - 2)]
    bodies += [everything[: len(everything) // 2], everything[len(everything) // 2 :]]
    rng.shuffle(bodies)
    answers = []
    for start in range(0, BODIES, PARALLEL):
        group = bodies[start : start + PARALLEL]
        answers += at_once(len(group), lambda i, group=group: send_signed(webhook_server, signing_key, group[i]))
    assert all(answer == 200 for answer in answers), answers

    db.session.expire_all()
    states = dict(
        db.session.execute(select(Notification.id, Notification.status).where(Notification.id.in_(ids))).all()
    )
    assert states == {number: ("bounced" if number % 3 == 0 else "delivered") for number in ids}
    stored = db.session.scalar(select(func.count()).select_from(NotificationEvent))
    assert stored == len(everything)
    keys = db.session.scalar(select(func.count(func.distinct(NotificationEvent.dedupe_key))))
    assert keys == len(everything)

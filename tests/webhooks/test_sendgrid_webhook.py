"""POST /webhooks/sendgrid: signed like SendGrid signs, deduplicated, order-proof, never a 500."""

import base64
import http.client
import json
import time
from urllib.parse import urlsplit

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Notification, NotificationEvent
from tests.factories import make_batch_with_notifications

URL = "/webhooks/sendgrid"


def public_key_text(signing_key) -> str:
    """What SendGrid's settings page shows: the base64 body of the PEM, no header lines."""
    public_der = signing_key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return base64.b64encode(public_der).decode()


@pytest.fixture
def webhook_app(app, signing_key):
    saved = {k: app.config.get(k) for k in ("SENDGRID_WEBHOOK_PUBLIC_KEY", "SENDGRID_WEBHOOK_TOLERANCE_SECONDS")}
    app.config["SENDGRID_WEBHOOK_PUBLIC_KEY"] = public_key_text(signing_key)
    app.config["SENDGRID_WEBHOOK_TOLERANCE_SECONDS"] = 300
    yield app
    app.config.update(saved)


def sign(key, body: str, timestamp: str) -> str:
    return base64.b64encode(key.sign((timestamp + body).encode(), ec.ECDSA(hashes.SHA256()))).decode()


def post(client, key, events, *, timestamp=None, body=None, signature=None):
    body = body if body is not None else json.dumps(events)
    timestamp = timestamp or str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        "X-Twilio-Email-Event-Webhook-Timestamp": timestamp,
        "X-Twilio-Email-Event-Webhook-Signature": signature or sign(key, body, timestamp),
    }
    return client.post(URL, data=body.encode(), headers=headers)


def send_signed(base_url: str, key, events) -> int:
    """POST ``events`` to a real server as SendGrid would; the answer's status code."""
    parts = urlsplit(base_url)
    body = json.dumps(events)
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        "X-Twilio-Email-Event-Webhook-Timestamp": timestamp,
        "X-Twilio-Email-Event-Webhook-Signature": sign(key, body, timestamp),
    }
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=120)
    try:
        connection.request("POST", URL, body=body.encode(), headers=headers)
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def event(notification_id, name, ts, **extra):
    return {
        "email": "c@example.org",
        "timestamp": ts,
        "event": name,
        "sg_event_id": f"ev-{notification_id}-{name}-{ts}",
        "sg_message_id": f"msg{notification_id}.filter0001",
        "notification_id": str(notification_id),
        **extra,
    }


@pytest.fixture
def accepted(app_ctx):
    batch = make_batch_with_notifications(2)
    rows = db.session.scalars(select(Notification).where(Notification.batch_id == batch.id)).all()
    for row in rows:
        row.status = "accepted"
    db.session.commit()
    return [row.id for row in rows]


def status_of(notification_id):
    db.session.expire_all()
    return db.session.get(Notification, notification_id).status


def event_count():
    return db.session.scalar(select(func.count()).select_from(NotificationEvent))


def test_a_signed_delivered_event_moves_the_notification(webhook_app, client, signing_key, accepted):
    response = post(client, signing_key, [event(accepted[0], "processed", 100), event(accepted[0], "delivered", 110)])
    assert response.status_code == 200
    assert response.get_json()["recorded"] == 2
    assert status_of(accepted[0]) == "delivered"
    assert status_of(accepted[1]) == "accepted"
    assert db.session.get(Notification, accepted[0]).delivered_at is not None


def test_a_bad_signature_is_refused(webhook_app, client, signing_key, accepted):
    other_key = ec.generate_private_key(ec.SECP256R1())
    body = json.dumps([event(accepted[0], "delivered", 110)])
    ts = str(int(time.time()))
    assert (
        post(client, signing_key, None, body=body, timestamp=ts, signature=sign(other_key, body, ts)).status_code == 401
    )
    assert post(client, signing_key, None, body=body, timestamp=ts, signature="not base64!!").status_code == 401
    tampered = body.replace("delivered", "bounce")
    assert (
        post(client, signing_key, None, body=tampered, timestamp=ts, signature=sign(signing_key, body, ts)).status_code
        == 401
    )
    assert client.post(URL, data=body, content_type="application/json").status_code == 401
    assert status_of(accepted[0]) == "accepted" and event_count() == 0


def test_a_stale_timestamp_is_refused_even_with_a_good_signature(webhook_app, client, signing_key, accepted):
    old = str(int(time.time()) - 3600)
    assert post(client, signing_key, [event(accepted[0], "delivered", 110)], timestamp=old).status_code == 401
    assert status_of(accepted[0]) == "accepted"


def test_no_public_key_configured_refuses_everything(webhook_app, client, signing_key, accepted):
    webhook_app.config["SENDGRID_WEBHOOK_PUBLIC_KEY"] = ""
    assert post(client, signing_key, [event(accepted[0], "delivered", 110)]).status_code == 401


def test_duplicate_events_are_recorded_once(webhook_app, client, signing_key, accepted):
    delivered = event(accepted[0], "delivered", 110)
    assert post(client, signing_key, [delivered, delivered]).get_json()["duplicates"] == 1
    # the same event again under a new sg_event_id (SendGrid does this) is still a duplicate
    again = {**delivered, "sg_event_id": "a-new-id"}
    assert post(client, signing_key, [again]).get_json() == {
        "received": 1,
        "recorded": 0,
        "duplicates": 1,
        "ignored": 0,
        "out_of_range": 0,
        "unknown_notification": 0,
    }
    assert event_count() == 1


def test_a_late_deferred_never_undoes_delivered(webhook_app, client, signing_key, accepted):
    first, second = accepted
    post(
        client,
        signing_key,
        [event(first, "delivered", 200), event(first, "deferred", 150), event(first, "processed", 100)],
    )
    assert status_of(first) == "delivered"
    post(
        client,
        signing_key,
        [event(second, "bounce", 300, reason="550 no such user"), event(second, "deferred", 250, response="try later")],
    )
    assert status_of(second) == "bounced"
    assert db.session.get(Notification, second).last_error == "550 no such user"
    assert event_count() == 5  # every event is kept as history


def test_deferred_then_delivered_in_order(webhook_app, client, signing_key, accepted):
    post(client, signing_key, [event(accepted[0], "deferred", 100, response="421 busy")])
    assert status_of(accepted[0]) == "deferred"
    post(client, signing_key, [event(accepted[0], "delivered", 160)])
    assert status_of(accepted[0]) == "delivered"


def test_a_processed_event_settles_an_unknown_notification(webhook_app, client, signing_key, accepted):
    row = db.session.get(Notification, accepted[0])
    row.status = "unknown"
    db.session.commit()
    post(client, signing_key, [event(accepted[0], "processed", 100)])
    assert status_of(accepted[0]) == "accepted"


def test_spam_reports_and_unsubscribes_are_noted_only(webhook_app, client, signing_key, accepted):
    post(
        client,
        signing_key,
        [
            event(accepted[0], "delivered", 100),
            event(accepted[0], "spamreport", 200),
            event(accepted[0], "unsubscribe", 210),
        ],
    )
    assert status_of(accepted[0]) == "delivered"
    assert event_count() == 3


@pytest.mark.parametrize("body", ["{not json", '{"event": "delivered"}', "", "null"])
def test_a_malformed_body_is_a_400_not_a_500(webhook_app, client, signing_key, body):
    assert post(client, signing_key, None, body=body).status_code == 400


def test_malformed_events_inside_an_array_are_skipped(webhook_app, client, signing_key, accepted):
    response = post(
        client,
        signing_key,
        [42, {"no": "event"}, {"event": "delivered", "timestamp": "soon"}, event(accepted[0], "delivered", 100)],
    )
    assert response.status_code == 200
    assert response.get_json()["ignored"] == 3 and status_of(accepted[0]) == "delivered"


def test_an_unknown_notification_id_is_recorded_and_answered_200(webhook_app, client, signing_key, accepted):
    response = post(client, signing_key, [event(999999, "delivered", 100), event("abc", "delivered", 100)])
    assert response.status_code == 200
    assert response.get_json()["unknown_notification"] == 2
    assert event_count() == 2
    assert db.session.scalar(select(func.count()).where(NotificationEvent.notification_id.is_(None))) == 2


def test_failed_and_cancelled_rows_are_not_moved_by_events(webhook_app, client, signing_key, accepted):
    row = db.session.get(Notification, accepted[0])
    row.status = "cancelled"
    db.session.commit()
    post(client, signing_key, [event(accepted[0], "delivered", 100)])
    assert status_of(accepted[0]) == "cancelled"


HOSTILE_BODIES = {
    "an id beyond int4": '[{"event": "delivered", "timestamp": 100, "notification_id": "2147483648"}]',
    "an id beyond int8": '[{"event": "delivered", "timestamp": 100, "notification_id": 99999999999999999999999}]',
    "a timestamp of 1e20": '[{"event": "delivered", "timestamp": 1e20, "notification_id": "1"}]',
    "a timestamp beyond int8": '[{"event": "delivered", "timestamp": 99999999999999999999999, "notification_id": "1"}]',
    "an Infinity timestamp": '[{"event": "delivered", "timestamp": Infinity, "notification_id": "1"}]',
    "a -Infinity timestamp": '[{"event": "delivered", "timestamp": -Infinity, "notification_id": "1"}]',
    "a NaN timestamp": '[{"event": "delivered", "timestamp": NaN, "notification_id": "1"}]',
    "an Infinity id": '[{"event": "delivered", "timestamp": 100, "notification_id": Infinity}]',
    "a negative timestamp": '[{"event": "delivered", "timestamp": -5, "notification_id": "1"}]',
}


@pytest.mark.parametrize("body", HOSTILE_BODIES.values(), ids=HOSTILE_BODIES.keys())
def test_numbers_no_column_can_hold_are_skipped_and_counted_never_a_500(
    webhook_app, client, signing_key, accepted, body
):
    good = json.dumps(event(accepted[0], "delivered", 120))
    response = post(client, signing_key, None, body=f"[{body[1:-1]}, {good}]")
    assert response.status_code == 200, response.get_data(as_text=True)
    summary = response.get_json()
    assert summary["out_of_range"] == 1 and summary["recorded"] == 1
    # the good event in the same body is not rolled back with the bad one
    assert status_of(accepted[0]) == "delivered" and event_count() == 1


def test_a_large_but_valid_timestamp_is_kept(webhook_app, client, signing_key, accepted):
    response = post(client, signing_key, [event(accepted[0], "delivered", 2**40)])
    assert response.get_json()["recorded"] == 1 and status_of(accepted[0]) == "delivered"

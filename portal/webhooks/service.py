"""SendGrid delivery events: authenticate, deduplicate, and move each Notification forward.

Events arrive more than once and in any order. Each is stored once (unique ``sg_event_id`` and
unique hash of message id + event + timestamp); a notification only moves "forward" along
accepted < deferred < delivered / bounced / dropped, so a late ``deferred`` never undoes a
``delivered``. Between two final events the later timestamp wins (a bounce after delivery).
"""

import binascii
import hashlib
import time
from dataclasses import dataclass

from cryptography.exceptions import UnsupportedAlgorithm
from flask import current_app
from sendgrid.helpers.eventwebhook import EventWebhook

from portal.constants import DeliveryEvent, NotificationStatus
from portal.dao.delivery_events import (
    dao_get_notification_for_update,
    dao_notification_exists,
    dao_record_notification_event,
)
from portal.extensions import db
from portal.models import Notification
from portal.models._types import utcnow

S = NotificationStatus
EVENT_STATUS = {
    DeliveryEvent.PROCESSED: S.ACCEPTED,
    DeliveryEvent.DEFERRED: S.DEFERRED,
    DeliveryEvent.DELIVERED: S.DELIVERED,
    DeliveryEvent.BOUNCE: S.BOUNCED,
    DeliveryEvent.DROPPED: S.DROPPED,
}
RANK = {
    S.QUEUED: 0,
    S.SENDING: 0,
    S.UNKNOWN: 0,
    S.ACCEPTED: 1,
    S.DEFERRED: 2,
    S.DELIVERED: 3,
    S.BOUNCED: 3,
    S.DROPPED: 3,
}
FINAL_RANK = 3
# Our own decisions that delivery events never overturn.
UNTOUCHABLE = (S.FAILED, S.CANCELLED)
MAX_REASON = 500


class SignatureError(ValueError):
    pass


def verify_sendgrid_signature(raw_body: str, signature: str, timestamp: str, now: float | None = None) -> None:
    """Raise SignatureError unless SendGrid signed timestamp + body recently with our key."""
    config = current_app.config
    public_key = config.get("SENDGRID_WEBHOOK_PUBLIC_KEY")
    if not public_key:
        raise SignatureError("SENDGRID_WEBHOOK_PUBLIC_KEY is not configured")
    if not signature or not timestamp:
        raise SignatureError("missing signature headers")
    try:
        sent_at = int(timestamp)
    except ValueError as exc:
        raise SignatureError("timestamp is not a number") from exc
    # The library checks only the signature; a captured request must not be replayable forever.
    if abs((now or time.time()) - sent_at) > config["SENDGRID_WEBHOOK_TOLERANCE_SECONDS"]:
        raise SignatureError("timestamp outside the tolerance")
    try:
        verifier = EventWebhook()
        key = verifier.convert_public_key_to_ecdsa(public_key)
        valid = verifier.verify_signature(raw_body, signature, timestamp, key)
    except (ValueError, TypeError, binascii.Error, UnsupportedAlgorithm) as exc:
        raise SignatureError(f"unverifiable signature ({type(exc).__name__})") from exc
    if not valid:
        raise SignatureError("bad signature")


@dataclass
class _Event:
    name: str
    occurred_at: int
    notification_id: int | None
    sg_event_id: str | None
    dedupe_key: str
    reason: str


def _parse(raw) -> _Event | None:
    if not isinstance(raw, dict) or not isinstance(raw.get("event"), str):
        return None
    try:
        occurred_at = int(raw.get("timestamp"))
    except (TypeError, ValueError):
        return None
    try:
        notification_id = int(str(raw.get("notification_id", "")))
    except ValueError:
        notification_id = None
    message_id = str(raw.get("sg_message_id") or "")
    event_id = raw.get("sg_event_id")
    name = raw["event"][:32]
    basis = message_id or f"notification:{notification_id}"
    dedupe_key = hashlib.sha256(f"{basis}\x1f{name}\x1f{occurred_at}".encode()).hexdigest()
    reason = str(raw.get("reason") or raw.get("response") or "")[:MAX_REASON]
    return _Event(name, occurred_at, notification_id, str(event_id)[:100] if event_id else None, dedupe_key, reason)


def apply_event(notification: Notification, event: _Event) -> bool:
    """Move the notification forward for this event if it is news; True if its status changed."""
    target = EVENT_STATUS.get(event.name)
    if target is None or notification.status in UNTOUCHABLE:
        return False
    current_rank, target_rank = RANK.get(notification.status, 0), RANK[target]
    newer = event.occurred_at >= (notification.last_event_at or 0)
    if target_rank < current_rank or (target_rank == current_rank and not newer):
        return False
    if target_rank == current_rank and target_rank < FINAL_RANK and notification.status == target:
        notification.last_event_at = max(notification.last_event_at or 0, event.occurred_at)
        return False
    notification.status = target
    notification.last_event_at = max(notification.last_event_at or 0, event.occurred_at)
    if target == S.ACCEPTED and notification.accepted_at is None:
        notification.accepted_at = utcnow()
    elif target == S.DELIVERED:
        notification.delivered_at = utcnow()
    elif target in (S.BOUNCED, S.DROPPED, S.DEFERRED):
        notification.last_error = event.reason
    return True


def record_delivery_events(events: list) -> dict[str, int]:
    """Store each new event and apply it; counts of what happened (for the response and tests)."""
    summary = {"received": len(events), "recorded": 0, "duplicates": 0, "ignored": 0, "unknown_notification": 0}
    for raw in events:
        event = _parse(raw)
        if event is None:
            summary["ignored"] += 1
            continue
        known = event.notification_id is not None and dao_notification_exists(event.notification_id)
        if not known:
            summary["unknown_notification"] += 1
        is_new = dao_record_notification_event(
            {
                "notification_id": event.notification_id if known else None,
                "sg_event_id": event.sg_event_id,
                "dedupe_key": event.dedupe_key,
                "event": event.name,
                "occurred_at": event.occurred_at,
                "reason": event.reason,
                "received_at": utcnow(),
            }
        )
        if not is_new:
            summary["duplicates"] += 1
            continue
        summary["recorded"] += 1
        if known:
            # Read under a lock taken after our write began, so two webhook requests about the
            # same notification cannot both decide from the same stale status.
            apply_event(dao_get_notification_for_update(event.notification_id), event)
    db.session.commit()
    return summary

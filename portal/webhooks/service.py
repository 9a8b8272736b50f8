"""SendGrid delivery events: authenticate, deduplicate, and move each Notification forward.

Events arrive more than once and in any order. Each is stored once (unique ``sg_event_id`` and
unique hash of message id + event + timestamp); a notification only moves "forward" along
accepted < deferred < delivered / bounced / dropped, so a late ``deferred`` never undoes a
``delivered``. Between two final events the later timestamp wins (a bounce after delivery).
"""

import binascii
import hashlib
import math
import time
from dataclasses import dataclass

from cryptography.exceptions import UnsupportedAlgorithm
from flask import current_app
from sendgrid.helpers.eventwebhook import EventWebhook

from portal.constants import DeliveryEvent, NotificationStatus
from portal.core.db_retry import run_transaction
from portal.core.time import utcnow
from portal.dao.notification_events import dao_lock_notifications, dao_record_notification_event
from portal.models import Notification

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
    S.POSTING: 0,
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


# Beyond these a number cannot be a notification id (int4 primary key) or a Unix timestamp our
# BIGINT column holds; an event carrying one is hostile or broken and is skipped, not a 500.
MAX_NOTIFICATION_ID = 2**31 - 1
MAX_TIMESTAMP = 2**53  # also the largest integer a JSON float carries exactly


class _OutOfRange(ValueError):
    pass


def _whole_number(value, upper: int) -> int:
    """``value`` as an int in [0, upper]; _OutOfRange for NaN, infinities or numbers past the bound."""
    if isinstance(value, bool):
        raise ValueError("a boolean is not a number")
    if isinstance(value, float):
        if not math.isfinite(value) or abs(value) > upper:
            raise _OutOfRange("not finite or too large")
        number = int(value)
    else:
        text = str(value).strip()
        if len(text) > 40 and text.lstrip("+-").isdigit():  # nothing valid is that long; int() of it is slow
            raise _OutOfRange("too long")
        number = int(text)
    if number < 0 or number > upper:
        raise _OutOfRange("out of range")
    return number


def _parse(raw) -> _Event | None:
    """The event, or None if it is not one; _OutOfRange if it carries a number no column can hold."""
    if not isinstance(raw, dict) or not isinstance(raw.get("event"), str):
        return None
    try:
        occurred_at = _whole_number(raw.get("timestamp"), MAX_TIMESTAMP)
    except _OutOfRange:
        raise
    except (TypeError, ValueError):
        return None
    try:
        notification_id = _whole_number(raw.get("notification_id", ""), MAX_NOTIFICATION_ID)
    except _OutOfRange:
        raise
    except (TypeError, ValueError):
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


def _summary(received: int) -> dict[str, int]:
    return {
        "received": received,
        "recorded": 0,
        "duplicates": 0,
        "ignored": 0,
        "out_of_range": 0,
        "unknown_notification": 0,
    }


def parse_events(events: list) -> tuple[list[_Event], dict[str, int]]:
    """The usable events in body order, and a summary counting what was skipped and why."""
    summary = _summary(len(events))
    parsed = []
    for raw in events:
        try:
            event = _parse(raw)
        except _OutOfRange:
            summary["out_of_range"] += 1
            continue
        if event is None:
            summary["ignored"] += 1
        else:
            parsed.append(event)
    return parsed, summary


def _record(events: list[_Event], skipped: dict[str, int]) -> dict[str, int]:
    """One attempt at the whole body in one transaction (run_transaction commits or runs it again)."""
    summary = dict(skipped)
    wanted = {event.notification_id for event in events if event.notification_id is not None}
    # Every notification the body names is locked in one statement, in id order: two bodies naming
    # the same rows in different orders then queue behind each other instead of deadlocking.
    notifications = dao_lock_notifications(sorted(wanted))
    for event in events:
        notification = notifications.get(event.notification_id) if event.notification_id is not None else None
        if notification is None:
            summary["unknown_notification"] += 1
        is_new = dao_record_notification_event(
            {
                "notification_id": notification.id if notification else None,
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
        if notification is not None:
            apply_event(notification, event)
    return summary


def record_delivery_events(events: list) -> dict[str, int]:
    """Store each new event and apply it; counts of what happened (for the response and tests).

    The body is one transaction, run again from the start if the database picks it as a deadlock
    victim or drops its connection, so a body is either recorded whole or (after the last try)
    answered 500 and redelivered by SendGrid.
    """
    parsed, skipped = parse_events(events)
    return run_transaction(lambda: _record(parsed, skipped), what="delivery webhook")

"""The append-only, hash-chained audit log.

Each row's hash covers its own fields and the previous row's hash, so deleting or editing a row
breaks every hash after it; ``verify_audit_chain`` finds the first broken link.
"""

import hashlib
import json
from datetime import datetime

from flask import has_request_context, request
from flask_login import current_user

from portal.dao.audit import (
    GENESIS_HASH,
    dao_append_audit_event,
    dao_iter_audit_events,
    dao_lock_audit_chain,
)
from portal.models import AuditEvent
from portal.models._types import utcnow


def _row_hash(prev_hash: str, at: datetime, actor: str, action: str, target: str, ip: str, details: str) -> str:
    payload = "\x1f".join((prev_hash, at.isoformat(), actor, action, target, ip, details))
    return hashlib.sha256(payload.encode()).hexdigest()


def current_actor() -> str:
    if has_request_context() and getattr(current_user, "is_authenticated", False):
        return f"staff:{current_user.id}"
    return "cli" if not has_request_context() else "anonymous"


def record_audit(action: str, target: str = "", details: dict | None = None, actor: str | None = None) -> AuditEvent:
    """Append one event in the caller's transaction (so it commits or rolls back with the change)."""
    actor = actor or current_actor()
    ip = (request.remote_addr or "") if has_request_context() else ""
    body = json.dumps(details or {}, sort_keys=True, default=str)
    now = utcnow()
    # Millisecond precision: what every database we support stores exactly, so the hash re-checks.
    at = now.replace(microsecond=now.microsecond // 1000 * 1000)
    prev_hash = dao_lock_audit_chain()
    event = AuditEvent(
        at=at,
        actor=actor,
        action=str(action),
        target=target,
        ip=ip,
        details=body,
        prev_hash=prev_hash,
        row_hash=_row_hash(prev_hash, at, actor, str(action), target, ip, body),
    )
    dao_append_audit_event(event)
    return event


def verify_audit_chain() -> int | None:
    """The id of the first event whose hash does not match, or None if the chain is whole."""
    expected_prev = GENESIS_HASH
    for event in dao_iter_audit_events():
        actual = _row_hash(event.prev_hash, event.at, event.actor, event.action, event.target, event.ip, event.details)
        if event.prev_hash != expected_prev or event.row_hash != actual:
            return event.id
        expected_prev = event.row_hash
    return None

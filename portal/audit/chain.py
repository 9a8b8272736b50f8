"""The append-only, keyed, hash-chained audit log.

Each row's hash covers its own fields, its sequence number and the previous row's hash, so
editing a row breaks its hash, and removing one leaves a gap in the numbers. Rows are signed with
HMAC-SHA256 under the current AUDIT_KEYS entry, so someone who can write to the database but does
not hold the key cannot rebuild the chain after changing it. Rows written before keys existed keep
their plain SHA-256 and still verify; the first keyed row links to the last of them, and no
unkeyed row may follow a keyed one.

Removing the newest events leaves no gap; an *anchor* (``flask portal audit head``: sequence
number, hash, time), kept outside the database, catches that. Verification continues from a
checkpoint (the last point verified whole, signed so it cannot be moved past a change), so a page
view checks only the events written since. docs/staff.md, "The audit log".
"""

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import UTC, datetime

from flask import has_request_context, request
from flask_login import current_user

from portal.core.time import utcnow
from portal.crypto import crypto
from portal.dao.audit import (
    GENESIS_HASH,
    dao_advance_audit_checkpoint,
    dao_append_audit_event,
    dao_get_audit_checkpoint,
    dao_get_audit_event_by_seq,
    dao_get_audit_head,
    dao_iter_audit_events,
    dao_lock_audit_chain,
)
from portal.extensions import db
from portal.models import AuditEvent


def _payload(seq: int, key_id: str, prev_hash: str, at: datetime, fields: tuple[str, ...]) -> str:
    at = at.astimezone(UTC)  # hashed as written: the same instant must give the same text on any session
    if not key_id:  # the rows written before keys: exactly what they were hashed over then
        return "\x1f".join((prev_hash, at.isoformat(), *fields))
    return "\x1f".join((str(seq), key_id, prev_hash, at.isoformat(), *fields))


def expected_hash(event: AuditEvent) -> str | None:
    """What ``event.row_hash`` must be; None when the key it names is not in AUDIT_KEYS."""
    fields = (event.actor, event.action, event.target, event.ip, event.details)
    payload = _payload(event.seq, event.key_id, event.prev_hash, event.at, fields)
    if not event.key_id:
        return hashlib.sha256(payload.encode()).hexdigest()
    return crypto().audit.mac(event.key_id, payload)


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
    last_seq, prev_hash = dao_lock_audit_chain()
    event = AuditEvent(
        seq=last_seq + 1,
        at=at,
        actor=actor,
        action=str(action),
        target=target,
        ip=ip,
        details=body,
        key_id=crypto().audit.current_kid,
        prev_hash=prev_hash,
    )
    event.row_hash = expected_hash(event)
    dao_append_audit_event(event)
    return event


@dataclass(frozen=True)
class Anchor:
    """A point of the chain kept outside the database: ``<seq>:<hash>``."""

    seq: int
    row_hash: str

    @classmethod
    def parse(cls, text: str) -> "Anchor":
        seq, sep, row_hash = text.strip().split()[0].partition(":") if text.strip() else ("", "", "")
        row_hash = row_hash.lower()
        if not sep or not seq.isdigit() or int(seq) < 1 or len(row_hash) != 64:
            raise ValueError("An anchor looks like '<sequence number>:<64 hex digits>', as `audit head` prints it.")
        if any(ch not in "0123456789abcdef" for ch in row_hash):
            raise ValueError("An anchor's hash is 64 hexadecimal digits.")
        return cls(int(seq), row_hash)

    def __str__(self) -> str:
        return f"{self.seq}:{self.row_hash}"


@dataclass(frozen=True)
class ChainReport:
    """The outcome of a verification: ``problem`` is None when every event checked is whole."""

    checked_from: int  # the first sequence number checked
    head_seq: int  # the newest event present
    checked: int  # events whose hash was recomputed
    problem_seq: int | None = None
    problem: str | None = None

    @property
    def intact(self) -> bool:
        return self.problem is None


def _checkpoint_mac(key_id: str, seq: int, row_hash: str) -> str | None:
    return crypto().audit.mac(key_id, f"audit-checkpoint\x1f{seq}\x1f{row_hash}")


def head_anchor() -> tuple[Anchor, datetime] | None:
    """The newest event as an anchor, and when it was written (None for an empty log)."""
    head = dao_get_audit_head()
    return None if head is None else (Anchor(head.seq, head.row_hash), head.at)


class _Broken(Exception):
    def __init__(self, seq: int, message: str) -> None:
        super().__init__(message)
        self.seq, self.message = seq, message


def _check_row(event: AuditEvent) -> None:
    expected = expected_hash(event)
    if expected is None:
        raise _Broken(
            event.seq, f"Event {event.seq} is signed with key {event.key_id!r}, which AUDIT_KEYS does not hold."
        )
    if not hmac.compare_digest(expected, event.row_hash):
        raise _Broken(event.seq, f"Event {event.seq} was altered: its hash does not match its contents.")


def _start_point(full: bool, anchor: Anchor | None) -> tuple[int, str, bool]:
    """(sequence number, hash, keyed) of the trusted point to verify after."""
    checkpoint = None if full else dao_get_audit_checkpoint()
    if checkpoint is not None:
        mac = _checkpoint_mac(checkpoint.key_id, checkpoint.seq, checkpoint.row_hash)
        if mac is None or not hmac.compare_digest(mac, checkpoint.mac):
            raise _Broken(checkpoint.seq, "The verification checkpoint was altered: run `audit verify --full`.")
    # An anchor older than the checkpoint is checked where it stands, then everything after it.
    if anchor is not None and checkpoint is not None and anchor.seq <= checkpoint.seq:
        return _trusted_row(anchor.seq, anchor.row_hash, "the anchor")
    if checkpoint is None:
        return 0, GENESIS_HASH, False
    return _trusted_row(checkpoint.seq, checkpoint.row_hash, "the last verified point")


def _trusted_row(seq: int, row_hash: str, what: str) -> tuple[int, str, bool]:
    event = dao_get_audit_event_by_seq(seq)
    if event is None:
        raise _Broken(seq, f"Event {seq} is missing: {what} names it, the log no longer holds it.")
    if not hmac.compare_digest(event.row_hash, row_hash):
        raise _Broken(seq, f"Event {seq} does not match {what}: it, or an event before it, was altered.")
    _check_row(event)
    return seq, event.row_hash, bool(event.key_id)


def _walk(prev_seq: int, prev_hash: str, keyed: bool, anchor: Anchor | None) -> tuple[int, int]:
    checked = 0
    for event in dao_iter_audit_events(after_seq=prev_seq):
        if event.seq != prev_seq + 1:
            raise _Broken(
                prev_seq + 1, f"Event {prev_seq + 1} is missing (the log goes from {prev_seq} to {event.seq})."
            )
        if not hmac.compare_digest(event.prev_hash, prev_hash):
            raise _Broken(event.seq, f"Event {event.seq} does not link to event {prev_seq}: one of them was altered.")
        if keyed and not event.key_id:
            raise _Broken(event.seq, f"Event {event.seq} is unsigned although earlier events are signed: rewritten.")
        _check_row(event)
        if anchor is not None and event.seq == anchor.seq and not hmac.compare_digest(event.row_hash, anchor.row_hash):
            raise _Broken(event.seq, f"Event {event.seq} does not match the anchor: the chain was rewritten.")
        prev_seq, prev_hash, keyed = event.seq, event.row_hash, keyed or bool(event.key_id)
        checked += 1
    if anchor is not None and prev_seq < anchor.seq:
        raise _Broken(
            prev_seq + 1,
            f"Events {prev_seq + 1} to {anchor.seq} are missing: "
            f"the anchor names {anchor.seq}, the log ends at {prev_seq}.",
        )
    return prev_seq, checked


def verify_chain(full: bool = False, anchor: Anchor | None = None, advance: bool = True) -> ChainReport:
    """Verify from the last verified point (or the first event, ``full``) to the newest one, and
    against ``anchor`` if given. A whole chain moves the checkpoint to its head (committed)."""
    start = 0
    try:
        start, prev_hash, keyed = _start_point(full, anchor)
        head_seq, checked = _walk(start, prev_hash, keyed, anchor)
    except _Broken as broken:
        head = dao_get_audit_head()
        return ChainReport(start + 1, head.seq if head else 0, 0, broken.seq, broken.message)
    if advance and head_seq > start:
        head = dao_get_audit_event_by_seq(head_seq)
        kid = crypto().audit.current_kid
        dao_advance_audit_checkpoint(
            head_seq, head.row_hash, kid, _checkpoint_mac(kid, head_seq, head.row_hash), utcnow()
        )
        db.session.commit()
    return ChainReport(start + 1, head_seq, checked)


def verify_audit_chain() -> int | None:
    """The sequence number of the first broken or missing event of the whole chain, or None if whole."""
    return verify_chain(full=True, advance=False).problem_seq

"""What the rest of the portal calls to send a batch, stop it, and settle what is left over.

The batches screens freeze the audience into ``queued`` Notification rows at approval and then
call ``dispatch_batch``; the background (portal/background/) runs ``run_periodic_work``. Every
function here commits its own transaction, and the admin's decisions (cancel, retry, resolve)
write their audit event in that same transaction. Each is one-shot: a second click finds nothing
left to change and is refused with ``NothingToDo``.
"""

import logging
from datetime import datetime, timedelta

from flask import current_app

from portal.audit.chain import record_audit
from portal.background.dispatch import wake_sender
from portal.constants import (
    BATCH_CANCELLABLE,
    AuditAction,
    BatchStatus,
    Channel,
    NotificationStatus,
    UnknownResolution,
)
from portal.core.db_retry import run_transaction
from portal.core.time import utcnow
from portal.dao.batches import (
    dao_cancel_batch,
    dao_count_notifications_by_status,
    dao_get_batch_for_update,
    dao_get_due_scheduled_batch_ids,
    dao_get_sending_batch_ids,
    dao_next_attempt_time,
)
from portal.dao.notifications import (
    dao_cancel_queued,
    dao_mark_unknown_sent,
    dao_reap_stale,
    dao_requeue_batch_rows,
)
from portal.extensions import db
from portal.sending.settle import SYSTEM_ACTOR, finish_batch_if_done

log = logging.getLogger(__name__)
STARTABLE = (BatchStatus.APPROVED, BatchStatus.SCHEDULED, BatchStatus.STOPPED)


class SendingError(ValueError):
    """A request the batch's state does not allow; the message is for the admin."""


class BatchNotFound(SendingError):
    pass


class NothingToDo(SendingError):
    """No row was in the state the request acts on: most often a twin request (a double click) did it first."""


def _locked_batch(batch_id: int):
    batch = dao_get_batch_for_update(batch_id)
    if batch is None:
        raise BatchNotFound(f"There is no batch {batch_id}.")
    return batch


def start_batch(batch_id: int, now: datetime | None = None) -> bool:
    """APPROVED, due SCHEDULED or STOPPED -> SENDING. False if scheduled for later. Commits."""
    now = now or utcnow()
    batch = _locked_batch(batch_id)
    if batch.channel != Channel.EMAIL:
        raise SendingError(f"Batch {batch_id} is a {batch.channel} batch; only email batches are sent.")
    if batch.status == BatchStatus.SCHEDULED and batch.scheduled_for is not None and batch.scheduled_for > now:
        db.session.rollback()
        return False
    if batch.status in STARTABLE:
        was = batch.status
        batch.status = BatchStatus.SENDING
        batch.started_at = batch.started_at or now
        batch.stop_reason = ""
        record_audit(
            AuditAction.BATCH_SEND_STARTED,
            f"batch:{batch_id}",
            {"from": str(was)},
            actor=None if was == BatchStatus.STOPPED else SYSTEM_ACTOR,
        )
        finish_batch_if_done(batch_id, now)  # an empty audience is sent at once
    elif batch.status != BatchStatus.SENDING:
        db.session.rollback()
        raise SendingError(f"Batch {batch_id} is {batch.status}; only an approved batch can be sent.")
    db.session.commit()
    return True


def dispatch_batch(batch_id: int) -> None:
    """Start sending (APPROVED / due SCHEDULED / STOPPED -> SENDING) and wake the engine."""
    if start_batch(batch_id):
        wake_sender()


def dispatch_due_batches(now: datetime | None = None) -> int:
    """Start every scheduled batch whose time has come; how many started."""
    now = now or utcnow()
    started = 0
    for batch_id in dao_get_due_scheduled_batch_ids(now):
        try:
            started += start_batch(batch_id, now)
        except SendingError:
            db.session.rollback()  # cancelled meanwhile, or not an email batch
    if started:
        wake_sender()
    return started


def cancel_batch(batch_id: int, cancelled_by_id: int | None = None) -> int:
    """CANCELLED, and every queued notification with it; how many were cancelled.

    Rows already ``sending`` finish their request: stopping it halfway would leave us not
    knowing whether those people were mailed. Queued rows hold no unsent notice code (codes are
    issued only when a chunk is claimed, and revoked when a chunk goes back to the queue).
    """
    now = utcnow()
    batch = _locked_batch(batch_id)
    if batch.status not in BATCH_CANCELLABLE or not dao_cancel_batch(batch_id, BATCH_CANCELLABLE, now, cancelled_by_id):
        db.session.rollback()
        raise NothingToDo(f"Batch {batch_id} is {batch.status} and can no longer be cancelled.")
    db.session.expire(batch)  # the UPDATE above went around the session
    cancelled = dao_cancel_queued(batch_id, now)
    record_audit(AuditAction.BATCH_CANCELLED, f"batch:{batch_id}", {"notifications_stopped": cancelled})
    db.session.commit()
    return cancelled


def _reopen(batch) -> None:
    if batch.status == BatchStatus.SENT:
        batch.status = BatchStatus.SENDING
        batch.finished_at = None


def retry_failed(batch_id: int) -> int:
    """Failed notifications back to queued with a fresh attempt count; the batch sends again."""
    batch = _locked_batch(batch_id)
    if batch.status not in (BatchStatus.SENDING, BatchStatus.SENT, BatchStatus.STOPPED):
        db.session.rollback()
        raise SendingError(f"Batch {batch_id} is {batch.status}; only a sent or sending batch can retry.")
    count = dao_requeue_batch_rows(batch_id, NotificationStatus.FAILED)
    if not count:
        db.session.rollback()
        raise NothingToDo(f"Batch {batch_id} has no failed notifications to retry.")
    _reopen(batch)
    record_audit(AuditAction.BATCH_FAILED_RETRIED, f"batch:{batch_id}", {"notifications": count})
    db.session.commit()
    if batch.status == BatchStatus.SENDING:
        wake_sender()
    return count


def resolve_unknown(batch_id: int, notification_ids: list[int] | None, action: str) -> int:
    """An admin's decision on ``unknown`` rows (all of the batch's, or those listed).

    ``resend``: queued again, so they will be mailed (perhaps a second time: the admin decided).
    ``mark_sent``: treated as accepted and never mailed again.
    """
    action = UnknownResolution(action)
    now = utcnow()
    batch = _locked_batch(batch_id)
    if batch.status not in (BatchStatus.SENDING, BatchStatus.SENT, BatchStatus.STOPPED):
        db.session.rollback()
        raise SendingError(f"Batch {batch_id} is {batch.status}; there is nothing to resolve.")
    if action == UnknownResolution.RESEND:
        count = dao_requeue_batch_rows(batch_id, NotificationStatus.UNKNOWN, notification_ids)
    else:
        count = dao_mark_unknown_sent(batch_id, notification_ids, now)
    if not count:
        db.session.rollback()
        raise NothingToDo(f"Batch {batch_id} has none of those notifications left to decide on.")
    if action == UnknownResolution.RESEND:
        _reopen(batch)
    else:
        finish_batch_if_done(batch_id, now)
    record_audit(
        AuditAction.BATCH_UNKNOWN_RESOLVED,
        f"batch:{batch_id}",
        {"action": str(action), "notifications": count, "chosen": notification_ids or "all"},
    )
    db.session.commit()
    if action == UnknownResolution.RESEND and batch.status == BatchStatus.SENDING:
        wake_sender()
    return count


def batch_status_counts(batch_id: int) -> dict[str, int]:
    """Every NotificationStatus value with its count for the batch (zeros included)."""
    return dao_count_notifications_by_status(batch_id)


def reap_stale_sending(older_than: timedelta | None = None, now: datetime | None = None) -> int:
    """Claims older than the threshold whose sender went away; how many rows became ``unknown``.

    Rows still only ``sending`` were never marked ``posting``, so their request never left: they
    go back to the queue (codes revoked) and are sent as usual. Rows ``posting`` were in a request
    that may have reached SendGrid: ``unknown``, never retried automatically; the batch page asks
    an admin. The batches are finished afterwards, each in a transaction of its own (a batch row
    is never locked after its notifications).
    """
    now = now or utcnow()
    if older_than is None:
        older_than = timedelta(seconds=current_app.config["REAP_SENDING_AFTER_SECONDS"])
    reason = "The sender stopped before SendGrid's answer was recorded; they may have been sent."
    requeued, unknown, batch_ids = run_transaction(
        lambda: dao_reap_stale(now - older_than, reason, now), what="reaping stale claims"
    )
    if requeued:
        log.warning("reaper: %d claimed but never posted notifications back in the queue", requeued)
    for batch_id in batch_ids:
        finish_batch_if_done(batch_id, now, commit=True)
    return unknown


def finish_sent_batches() -> int:
    """Self-healing: mark SENT any sending batch with nothing left to send (how many)."""
    finished = 0
    for batch_id in dao_get_sending_batch_ids():
        finished += finish_batch_if_done(batch_id)
        db.session.commit()
    return finished


def run_periodic_work() -> None:
    """What beat (Celery) or the sending thread runs every half minute: due batches, then the reaper."""
    dispatch_due_batches()
    finish_sent_batches()
    reaped = reap_stale_sending()
    if reaped:
        log.warning("reaper: %d notifications left sending were marked unknown", reaped)


def seconds_until_next_retry() -> float | None:
    """Seconds until the earliest queued row of a sending batch is due; None if none is queued."""
    due = dao_next_attempt_time(utcnow())
    return None if due is None else max(0.05, (due - utcnow()).total_seconds())

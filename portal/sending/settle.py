"""Settling a posted chunk: SendGrid's answer recorded for its ``posting`` rows, its never-marked
rows back in the queue, in one transaction retried on a fresh connection; a refused key stops the
batch; a batch with nothing left is finished. Step 4 of the state machine in claim.py."""

import logging
from collections.abc import Callable
from datetime import datetime

from flask import current_app

from portal.audit.chain import record_audit
from portal.constants import AuditAction, BatchStatus
from portal.constants import NotificationStatus as S
from portal.core.db_retry import run_transaction
from portal.core.time import utcnow
from portal.dao.batches import (
    dao_count_notifications_by_status,
    dao_finish_batch_if_done,
    dao_get_batch,
    dao_lock_batch,
    dao_pause_batch,
)
from portal.dao.notifications import (
    dao_lock_held,
    dao_revoke_codes,
    dao_settle_held,
)
from portal.mail.notices import Outcome, SendResult
from portal.models import Notification
from portal.sending.claim import ClaimedChunk
from portal.sending.retry import db_attempts, next_attempt_at, out_of_attempts

log = logging.getLogger(__name__)
SYSTEM_ACTOR = "system:sender"


def settle_chunk(
    chunk: ClaimedChunk, posted: SendResult | str | None, deliver_within: Callable[[], SendResult] | None = None
) -> SendResult | None:
    """The half that writes: record what ``post_chunk`` found for the rows it marked ``posting``,
    put the chunk's rows it never marked back in the queue (or cancel them with their batch), and
    commit; then finish the batch if that was its last row, in a transaction of its own.

    A database that keeps refusing (``run_transaction`` gives up) leaves the rows where they are
    for the reaper: ``posting`` ones become ``unknown``, ``sending`` ones go back to the queue.

    ``deliver_within`` is for a backend whose "post" is a write (the outbox): it runs inside each
    attempt of the transaction, so a refused attempt that is rolled back and tried again stores
    the mail again with it, instead of recording as delivered a mail whose insert was lost.
    The answer recorded.
    """
    result = posted if isinstance(posted, SendResult) else None
    if chunk.plan is not None:

        def attempt() -> SendResult | None:
            answer = deliver_within() if deliver_within is not None else result
            _settle_rows(chunk, answer)
            return answer

        try:
            result = run_transaction(
                attempt,
                attempts=db_attempts(),
                what="recording a SendGrid answer",
            )
        except Exception:
            log.error("batch %s: a chunk's answer could not be recorded; the reaper will take its rows", chunk.batch_id)
            raise
        if result is not None and result.outcome == Outcome.RATE_LIMITED and result.retry_at is not None:
            # Every sender of the batch waits for the reset, not only this one (its own transaction:
            # the batch row only).
            run_transaction(
                lambda: dao_pause_batch(chunk.batch_id, result.retry_at), attempts=db_attempts(), what="pause"
            )
        if result is not None and result.outcome != Outcome.ACCEPTED:
            log.warning(
                "batch %s: chunk of %d notices: %s (%s)",
                chunk.batch_id,
                len(chunk.notification_ids),
                result.outcome,
                result.status_code,
            )
    finish_batch_if_done(chunk.batch_id, commit=True)
    return result


_NOT_SENT_OUTCOMES = (Outcome.RATE_LIMITED, Outcome.UNAUTHORIZED, Outcome.NOT_SENT, Outcome.REJECTED)


def _settle_rows(chunk: ClaimedChunk, result: SendResult | None) -> None:
    """One attempt, inside run_transaction. Locks in one order everywhere: the batch row first,
    then the chunk's rows in id order, then their codes; each set of rows updated once."""
    now = utcnow()
    unauthorized = result is not None and result.outcome == Outcome.UNAUTHORIZED
    # FOR UPDATE only when this answer stops the batch: two settlers holding it FOR SHARE and then
    # both asking for more would deadlock. FOR SHARE still waits for a cancel in progress.
    batch_status, paused_until = dao_lock_batch(chunk.batch_id, for_update=unauthorized)
    if unauthorized:
        batch_status = stop_batch(chunk.batch_id, result) or batch_status
    accepted = result is not None and result.outcome in (Outcome.ACCEPTED, Outcome.DELIVERED)
    statuses = (S.SENDING, S.POSTING, S.UNKNOWN) if accepted else (S.SENDING, S.POSTING)
    held = dao_lock_held(chunk.notification_ids, chunk.token, statuses)
    posted = [row for row in held if row[3] != S.SENDING]
    unposted = [row for row in held if row[3] == S.SENDING]
    revoke = [row[1] for row in unposted if row[1] is not None]
    if result is not None and result.outcome in _NOT_SENT_OUTCOMES:
        revoke += [row[1] for row in posted if row[1] is not None]
    dao_revoke_codes(revoke, now)
    if posted and result is not None:
        _record_posted(posted, chunk.token, result, now)
    if unposted:
        _release(unposted, chunk.token, batch_status, result, now, paused_until)


def _record_posted(rows: list[tuple], token: str, result: SendResult, now: datetime) -> None:
    ids = [row[0] for row in rows]
    outcome = result.outcome
    gone = {"notice_code_id": None, "claimed_at": None}
    if outcome in (Outcome.ACCEPTED, Outcome.DELIVERED):
        values = {
            "status": S.DELIVERED if outcome == Outcome.DELIVERED else S.ACCEPTED,
            "provider_message_id": result.message_id[:100],
            "accepted_at": now,
            "last_error": "",
            "next_attempt_at": None,
        }
        if outcome == Outcome.DELIVERED:
            values["delivered_at"] = now
        dao_settle_held(ids, token, (S.POSTING, S.UNKNOWN), now, **values)
    elif outcome == Outcome.AMBIGUOUS:
        # The codes stay valid: the person may well have them.
        error = f"{result.reason}. They may have been sent: an admin decides."
        dao_settle_held(ids, token, (S.POSTING,), now, status=S.UNKNOWN, last_error=error)
    elif outcome in (Outcome.RATE_LIMITED, Outcome.UNAUTHORIZED):
        # Not sent: the attempt is refunded; a 429 comes back at its reset, a 401 when restarted.
        retry_at = result.retry_at if outcome == Outcome.RATE_LIMITED else None
        dao_settle_held(
            ids,
            token,
            (S.POSTING,),
            now,
            status=S.QUEUED,
            next_attempt_at=retry_at,
            last_error=result.reason,
            attempts=Notification.attempts - 1,
            claim_token=None,
            **gone,
        )
    elif outcome == Outcome.NOT_SENT:
        config = current_app.config
        give_up = [row[0] for row in rows if out_of_attempts(row[2], config)]
        retry = [row for row in rows if row[0] not in set(give_up)]
        if give_up:
            error = f"{result.reason}; gave up after {config['SEND_MAX_ATTEMPTS']} attempts"
            dao_settle_held(give_up, token, (S.POSTING,), now, status=S.FAILED, last_error=error, failed_at=now, **gone)
        if retry:
            # One time for the whole chunk (jittered against other chunks), so it comes back as one request.
            at = next_attempt_at(now, max(row[2] for row in retry), config)
            dao_settle_held(
                [row[0] for row in retry],
                token,
                (S.POSTING,),
                now,
                status=S.QUEUED,
                next_attempt_at=at,
                last_error=result.reason,
                claim_token=None,
                **gone,
            )
    else:
        dao_settle_held(ids, token, (S.POSTING,), now, status=S.FAILED, last_error=result.reason, failed_at=now, **gone)


def _release(
    rows: list[tuple],
    token: str,
    batch_status: str | None,
    result: SendResult | None,
    now: datetime,
    paused_until: datetime | None,
):
    """Rows claimed but never marked ``posting``: certainly not sent, so back in the queue with the
    attempt refunded (after a 429, at its reset), or cancelled with their cancelled batch."""
    ids = [row[0] for row in rows]
    common = {"notice_code_id": None, "claimed_at": None, "claim_token": None}
    if batch_status == BatchStatus.CANCELLED:
        dao_settle_held(ids, token, (S.SENDING,), now, status=S.CANCELLED, next_attempt_at=None, **common)
        return
    retry_at = result.retry_at if result is not None and result.outcome == Outcome.RATE_LIMITED else None
    if paused_until is not None and paused_until > now:
        retry_at = max(retry_at or paused_until, paused_until)
    reason = "Held back: the batch was stopped" if batch_status == BatchStatus.STOPPED else ""
    dao_settle_held(
        ids,
        token,
        (S.SENDING,),
        now,
        status=S.QUEUED,
        next_attempt_at=retry_at,
        attempts=Notification.attempts - 1,
        last_error=reason or (result.reason if result is not None else ""),
        **common,
    )


def stop_batch(batch_id: int, result: SendResult) -> str | None:
    """SendGrid refused our key: stop the batch so no worker keeps hammering it; an admin restarts.
    The caller has locked the batch row. The batch's status now."""
    batch = dao_get_batch(batch_id)
    if batch is not None and batch.status == BatchStatus.SENDING:
        batch.status = BatchStatus.STOPPED
        batch.stop_reason = result.reason
        record_audit(
            AuditAction.BATCH_STOPPED, f"batch:{batch_id}", {"status_code": result.status_code}, actor=SYSTEM_ACTOR
        )
    return batch.status if batch is not None else None


def finish_batch_if_done(batch_id: int, now: datetime | None = None, commit: bool = False) -> bool:
    """SENDING -> SENT once nothing is pending. With ``commit`` it is a transaction of its own (the
    batch row locked first, nothing else), retried if refused; else part of the caller's."""
    if commit:
        return run_transaction(lambda: finish_batch_if_done(batch_id, now), attempts=db_attempts(), what="finish")
    if not dao_finish_batch_if_done(batch_id, now or utcnow()):
        return False
    counts = {k: v for k, v in dao_count_notifications_by_status(batch_id).items() if v}
    record_audit(AuditAction.BATCH_SENT, f"batch:{batch_id}", {"counts": counts}, actor=SYSTEM_ACTOR)
    return True

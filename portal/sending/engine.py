"""The sending engine: claim a chunk, issue its notice codes, post it, record the answer.

Both engines (the in-process thread and Celery workers) call ``send_next_chunk``; so does the
``send`` command. The order of commits is the point:

1. claim: rows go ``queued`` -> ``sending`` and get fresh notice codes, COMMIT;
2. post the chunk to the mail backend (nothing is locked while we wait for SendGrid);
3. record the answer, COMMIT.

A crash during 2 leaves rows ``sending``; the reaper turns them ``unknown`` and an admin decides.
Nothing here ever sends a row that is not ``queued``, so nobody is mailed twice by a retry.
"""

import logging
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime

from flask import current_app

from portal.audit import record_audit
from portal.constants import AuditAction, BatchStatus, NoticeCodeSource
from portal.constants import NotificationStatus as S
from portal.dao.notifications import (
    dao_cancel_claimed,
    dao_claim_with_codes,
    dao_delete_notice_codes,
    dao_get_attempts,
    dao_get_exposed_categories,
    dao_mark_accepted,
    dao_mark_failed,
    dao_mark_unknown,
    dao_requeue,
    dao_revoke_codes_of,
    dao_select_candidates,
)
from portal.dao.send_batches import (
    dao_count_notifications_by_status,
    dao_find_next_send_group,
    dao_finish_batch_if_done,
    dao_get_batch,
    dao_get_batch_for_update,
    dao_get_batch_status,
    dao_get_incident,
    dao_get_template_contents,
)
from portal.extensions import db
from portal.mail import mail_backend
from portal.mail.notices import NoticeRequest, Outcome, Recipient, SendResult
from portal.mail.rendering import (
    SubstitutionBuilder,
    incident_values,
    notice_skeleton,
)
from portal.models._types import utcnow
from portal.sending.codes import generate_notice_codes, notice_code_hashes
from portal.sending.retry import next_attempt_at, out_of_attempts

log = logging.getLogger(__name__)
SYSTEM_ACTOR = "system:sender"


@dataclass(frozen=True)
class ClaimedChunk:
    batch_id: int
    request: NoticeRequest | None  # None when none of the claimed rows could be mailed

    @property
    def notification_ids(self) -> list[int]:
        return [r.notification_id for r in self.request.recipients] if self.request else []


def pick_content(contents: list, language: str, jurisdiction: str):
    """The content for (language, jurisdiction), else the language's default, else English's."""
    by_key = {(c.language, c.jurisdiction): c for c in contents}
    for key in ((language, jurisdiction), (language, ""), ("en", jurisdiction), ("en", "")):
        if key in by_key:
            return by_key[key]
    return None


def _content_for(version_id: int, language: str, jurisdiction: str) -> tuple[str, str, str] | None:
    """(language, subject, body) of the content to use (compiled skeletons are cached by text)."""
    content = pick_content(dao_get_template_contents(version_id), language, jurisdiction)
    return (content.language, content.subject, content.body_markdown) if content else None


@dataclass(frozen=True)
class _Content:
    subject: str
    body_markdown: str


def claim_next_chunk(now: datetime | None = None, batch_id: int | None = None) -> ClaimedChunk | None:
    """Claim up to SEND_CHUNK_SIZE due rows sharing one content, issue their codes, commit, build the request."""
    now = now or utcnow()
    group = dao_find_next_send_group(now, batch_id)
    if group is None:
        db.session.rollback()
        return None
    group_batch_id, version_id, language, jurisdiction = group
    limit = current_app.config["SEND_CHUNK_SIZE"]
    candidates = dao_select_candidates(group_batch_id, language, jurisdiction, now, limit)
    content = _content_for(version_id, language, jurisdiction)
    if content is None or not candidates:
        if candidates:
            reason = f"The template has no content in {language!r}"
            dao_mark_failed([c[0] for c in candidates], reason, now, from_statuses=(S.QUEUED,))
        db.session.commit()
        return ClaimedChunk(group_batch_id, None)
    issued = _issue_codes(dao_get_batch(group_batch_id).incident_id, candidates, content[0], now)
    db.session.commit()  # the rows are ours and their codes exist: release the write lock before the CPU work
    return ClaimedChunk(group_batch_id, _build_request(issued, content) if issued else None)


@dataclass(frozen=True)
class _Issued:
    shared: dict[str, str]
    recipients: list[tuple[int, int, str, str, str]]  # notification id, person id, first, last, email
    exposed: dict[int, list[str]]
    codes: list[tuple[str, str]]


def _issue_codes(incident_id: int, candidates: list[tuple], language: str, now: datetime) -> _Issued | None:
    """Give each candidate a fresh notice code (only its hash is stored) and claim it with the code."""
    unmailable = [c[0] for c in candidates if not c[4]]
    if unmailable:
        dao_mark_failed(unmailable, "No email address on the register", now, from_statuses=(S.QUEUED,))
    mailable = [c for c in candidates if c[4]]
    if not mailable:
        return None
    codes = generate_notice_codes(len(mailable))
    hashes = notice_code_hashes([normalized for _, normalized in codes])
    claimed = dao_claim_with_codes(
        incident_id,
        NoticeCodeSource.NOTICE.value,
        now,
        [(c[0], c[1], h) for c, h in zip(mailable, hashes, strict=True)],
    )
    if len(claimed) < len(mailable):  # another sender (or a cancel) got there first
        dao_delete_notice_codes([h for c, h in zip(mailable, hashes, strict=True) if c[0] not in claimed])
        kept = [(c, code) for c, code in zip(mailable, codes, strict=True) if c[0] in claimed]
        mailable, codes = [c for c, _ in kept], [code for _, code in kept]
    if not mailable:
        return None
    exposed = dao_get_exposed_categories(incident_id, [c[1] for c in mailable])
    return _Issued(incident_values(dao_get_incident(incident_id), language), mailable, exposed, codes)


def _build_request(issued: _Issued, content) -> NoticeRequest:
    content_language, subject, body = content
    skeleton = notice_skeleton(_Content(subject, body), issued.shared)
    build = SubstitutionBuilder(skeleton.personal, content_language).build
    exposed = issued.exposed
    recipients = [
        Recipient(nid, email, f"{first} {last}".strip(), build(first, last, printed, exposed.get(pid, ())))
        for (nid, pid, first, last, email), (printed, _) in zip(issued.recipients, issued.codes, strict=True)
    ]
    return NoticeRequest(skeleton, content_language, recipients)


def deliver_chunk(chunk: ClaimedChunk) -> SendResult | None:
    """Post the claimed chunk and record SendGrid's answer (or the outbox's)."""
    if chunk.request is None:
        finish_batch_if_done(chunk.batch_id)
        db.session.commit()
        return None
    status = dao_get_batch_status(chunk.batch_id)
    if status in (BatchStatus.CANCELLED, BatchStatus.STOPPED):
        # Claimed but not posted yet: nothing has left, so the cancel (or the stop) applies to them too.
        _hold_back(chunk, status)
        return None
    result = mail_backend().send_notices(chunk.request)
    record_result(chunk.batch_id, chunk.notification_ids, result)
    return result


def _hold_back(chunk: ClaimedChunk, status: str) -> None:
    ids, now = chunk.notification_ids, utcnow()
    dao_revoke_codes_of(ids, now)
    if status == BatchStatus.CANCELLED:
        dao_cancel_claimed(ids)
    else:
        dao_requeue(ids, None, "Held back: the batch was stopped", refund_attempt=True)
    db.session.commit()


def record_result(batch_id: int, ids: list[int], result: SendResult, now: datetime | None = None) -> None:
    now = now or utcnow()
    outcome = result.outcome
    if outcome in (Outcome.ACCEPTED, Outcome.DELIVERED):
        dao_mark_accepted(ids, result.message_id, now, delivered=outcome == Outcome.DELIVERED)
    elif outcome == Outcome.AMBIGUOUS:
        # The codes stay valid: the person may well have them.
        dao_mark_unknown(ids, f"{result.reason}. They may have been sent: an admin decides.")
    else:
        # Not sent: the codes issued with them reached nobody, so nobody may use them.
        dao_revoke_codes_of(ids, now)
        if outcome == Outcome.RATE_LIMITED:
            dao_requeue(ids, result.retry_at, result.reason, refund_attempt=True)
        elif outcome == Outcome.UNAUTHORIZED:
            dao_requeue(ids, None, result.reason, refund_attempt=True)
            stop_batch(batch_id, result)
        elif outcome == Outcome.NOT_SENT:
            _requeue_with_backoff(ids, result.reason, now)
        else:
            dao_mark_failed(ids, result.reason, now)
    if outcome != Outcome.ACCEPTED and outcome != Outcome.DELIVERED:
        log.warning("batch %s: chunk of %d notices: %s (%s)", batch_id, len(ids), outcome, result.status_code)
    finish_batch_if_done(batch_id, now)
    db.session.commit()


def _requeue_with_backoff(ids: list[int], reason: str, now: datetime) -> None:
    config = current_app.config
    attempts = dao_get_attempts(ids)
    give_up = {nid for nid in ids if out_of_attempts(attempts.get(nid, 0), config)}
    if give_up:
        dao_mark_failed(sorted(give_up), f"{reason}; gave up after {config['SEND_MAX_ATTEMPTS']} attempts", now)
    retry = [nid for nid in ids if nid not in give_up]
    if retry:
        # One time for the whole chunk (jittered against other chunks), so it comes back as one request.
        at = next_attempt_at(now, max(attempts.get(nid, 1) for nid in retry), config)
        dao_requeue(retry, at, reason, refund_attempt=False)


def stop_batch(batch_id: int, result: SendResult) -> None:
    """SendGrid refused our key: stop the batch so no worker keeps hammering it; an admin restarts."""
    batch = dao_get_batch_for_update(batch_id)
    if batch is not None and batch.status == BatchStatus.SENDING:
        batch.status = BatchStatus.STOPPED
        batch.stop_reason = result.reason
        record_audit(
            AuditAction.BATCH_STOPPED, f"batch:{batch_id}", {"status_code": result.status_code}, actor=SYSTEM_ACTOR
        )


def finish_batch_if_done(batch_id: int, now: datetime | None = None) -> bool:
    if not dao_finish_batch_if_done(batch_id, now or utcnow()):
        return False
    counts = {k: v for k, v in dao_count_notifications_by_status(batch_id).items() if v}
    record_audit(AuditAction.BATCH_SENT, f"batch:{batch_id}", {"counts": counts}, actor=SYSTEM_ACTOR)
    return True


def send_next_chunk(now: datetime | None = None, batch_id: int | None = None) -> int | None:
    """Send one chunk; how many notifications it held (0 if another worker beat us), None if idle."""
    chunk = claim_next_chunk(now, batch_id)
    if chunk is None:
        return None
    deliver_chunk(chunk)
    return len(chunk.notification_ids)


def send_until_idle(batch_id: int | None = None, max_chunks: int | None = None) -> int:
    """Send chunks until nothing is due (rows waiting for a retry time are left); notices handled.

    Still one sender, but pipelined: chunk k+1 is claimed and built while chunk k's request is in
    flight (a second thread, with its own app context and session, posts and records answers).
    At most one chunk waits claimed-but-unposted, and ``deliver_chunk`` holds it back if the batch
    was cancelled or stopped meanwhile.
    """
    app = current_app._get_current_object()
    handled = chunks = 0
    in_flight: Future | None = None
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="portal-post") as poster:
        try:
            while max_chunks is None or chunks < max_chunks:
                chunk = claim_next_chunk(batch_id=batch_id)
                if in_flight is not None:
                    in_flight.result()
                    in_flight = None
                if chunk is None:
                    break
                in_flight = poster.submit(_deliver_in_app_context, app, chunk)
                handled += len(chunk.notification_ids)
                chunks += 1
        finally:
            if in_flight is not None:
                in_flight.result()
    return handled


def _deliver_in_app_context(app, chunk: ClaimedChunk) -> None:
    with app.app_context():
        try:
            deliver_chunk(chunk)
        finally:
            db.session.remove()

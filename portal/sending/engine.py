"""The sending engine: claim a chunk, issue its notice codes, post it, record the answer.

Celery workers call ``send_next_chunk``; the in-process thread and the ``send`` command call
``send_until_idle`` (portal/sending/pipeline.py), which runs the same steps with the posting on a
second thread (or, for a big send, in a posting process). The order of commits is the point:

1. claim: rows go ``queued`` -> ``sending`` and get fresh notice codes, COMMIT (a group of up to
   SEND_CLAIM_CHUNKS chunks per commit);
2. post the chunk to the mail backend (nothing is locked while we wait for SendGrid);
3. record the answer, COMMIT.

A crash during 2 leaves rows ``sending``; the reaper turns them ``unknown`` and an admin decides.
Nothing here ever sends a row that is not ``queued``, so nobody is mailed twice by a retry.
"""

import logging
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
from portal.mail.national_ids import national_id_names
from portal.mail.notices import NoticeRequest, Outcome, Recipient, SendResult
from portal.mail.rendering import (
    NoticeSkeleton,
    SubstitutionBuilder,
    category_title_lookup,
    incident_values,
    notice_skeleton,
)
from portal.models._types import utcnow
from portal.sending.codes import generate_notice_codes, notice_code_hashes
from portal.sending.retry import next_attempt_at, out_of_attempts

log = logging.getLogger(__name__)
SYSTEM_ACTOR = "system:sender"


@dataclass(frozen=True)
class ChunkPlan:
    """What one request is built from, where it is posted (``build_request``): plain values, so a
    posting process can be handed it. The parent has done all that needs the app or the database."""

    skeleton: NoticeSkeleton
    language: str
    titles: dict[str, tuple[int, str]]  # category code -> (severity rank, title in ``language``)
    # notification id, first name, last name, email, exposed categories joined by commas, printed code,
    # what the person's national id is called where they live (in ``language``)
    rows: list[tuple[int, str, str, str, str, str, str]]


@dataclass(frozen=True)
class ClaimedChunk:
    batch_id: int
    plan: ChunkPlan | None  # None when none of the claimed rows could be mailed

    @property
    def notification_ids(self) -> list[int]:
        return [row[0] for row in self.plan.rows] if self.plan else []


def build_request(plan: ChunkPlan) -> NoticeRequest:
    """The chunk's request: each recipient's substitutions around the shared skeleton."""
    build = SubstitutionBuilder(plan.skeleton.personal, plan.language, plan.titles).build
    return NoticeRequest(
        plan.skeleton,
        plan.language,
        [
            Recipient(nid, email, f"{first} {last}".strip(), build(first, last, printed, categories, national_id))
            for nid, first, last, email, categories, printed, national_id in plan.rows
        ],
    )


def pick_content(contents: list, language: str, jurisdiction: str):
    """The content for (language, jurisdiction); for no jurisdiction, the language's default, else English's.

    A recipient frozen with a jurisdiction's variant gets exactly that variant or nothing (the
    notification fails, saying so): never the default text, which that jurisdiction's law may
    forbid (Massachusetts forbids describing the breach). Approval checks every recipient's rules
    first (portal/legal/compliance.py), so this refusal is the last line, not the usual path.
    """
    by_key = {(c.language, c.jurisdiction): c for c in contents}
    keys = ((language, jurisdiction),) if jurisdiction else ((language, ""), ("en", ""))
    for key in keys:
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


def claim_next_chunks(
    now: datetime | None = None, batch_id: int | None = None, max_chunks: int | None = None
) -> list[ClaimedChunk]:
    """Claim up to ``max_chunks`` (default SEND_CLAIM_CHUNKS) chunks of due rows in ONE transaction.

    Each chunk holds at most SEND_CHUNK_SIZE rows sharing one content. One commit for several
    chunks matters on SQLite, which writes every page a transaction dirtied in full: the notice
    codes' index pages are shared by the chunks, so they are written once, not once per chunk.
    Each chunk comes back as a plan; its request is built where it is posted (``build_request``),
    on the posting thread or in the posting process, never under the write lock.
    """
    now = now or utcnow()
    wanted = max_chunks or current_app.config["SEND_CLAIM_CHUNKS"]
    claimed: list[tuple[int, _Issued | None, tuple | None]] = []
    memo: dict = {}  # what the group's chunks share (batch, content, incident values), looked up once
    while len(claimed) < wanted:
        step = _claim_one(now, batch_id, memo)
        if step is None:
            break
        claimed.append(step)
    if not claimed:
        db.session.rollback()
        return []
    db.session.commit()  # the rows are ours and their codes exist: release the write lock before the CPU work
    return [ClaimedChunk(bid, _plan(issued, content, memo) if issued else None) for bid, issued, content in claimed]


def _remember(memo: dict, key: tuple, compute):
    if key not in memo:
        memo[key] = compute()
    return memo[key]


def _claim_one(now: datetime, batch_id: int | None, memo: dict) -> tuple[int, "_Issued | None", tuple | None] | None:
    """Claim one chunk inside the caller's transaction: (batch id, its rows and codes, its content)."""
    group = dao_find_next_send_group(now, batch_id)
    if group is None:
        return None
    group_batch_id, version_id, language, jurisdiction = group
    limit = current_app.config["SEND_CHUNK_SIZE"]
    incident_id = _remember(memo, ("incident", group_batch_id), lambda: dao_get_batch(group_batch_id).incident_id)
    candidates = dao_select_candidates(group_batch_id, incident_id, language, jurisdiction, now, limit)
    content = _remember(
        memo, ("content", version_id, language, jurisdiction), lambda: _content_for(version_id, language, jurisdiction)
    )
    if content is None or not candidates:
        if candidates:
            reason = f"The template has no content in {language!r}" + (f" for {jurisdiction}" if jurisdiction else "")
            dao_mark_failed([c[0] for c in candidates], reason, now, from_statuses=(S.QUEUED,))
        return (group_batch_id, None, None)
    shared = _remember(
        memo, ("shared", incident_id, content[0]), lambda: incident_values(dao_get_incident(incident_id), content[0])
    )
    return (group_batch_id, _issue_codes(incident_id, candidates, shared, now), content)


@dataclass(frozen=True)
class _Issued:
    shared: dict[str, str]
    # notification id, person id, first, last, email, exposed categories joined by commas, country
    recipients: list[tuple[int, int, str, str, str, str, str]]
    codes: list[tuple[str, str]]


def _issue_codes(incident_id: int, candidates: list[tuple], shared: dict[str, str], now: datetime) -> _Issued | None:
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
    return _Issued(shared, mailable, codes)


def _plan(issued: _Issued, content, memo: dict) -> ChunkPlan:
    content_language, subject, body = content
    skeleton = notice_skeleton(_Content(subject, body), issued.shared)
    titles = _remember(memo, ("titles", content_language), lambda: category_title_lookup(content_language))
    id_names, general = _remember(memo, ("ids", content_language), lambda: national_id_names(content_language))
    rows = [
        (nid, first, last, email, categories, printed, id_names.get(country, general))
        for (nid, _, first, last, email, categories, country), (printed, _) in zip(
            issued.recipients, issued.codes, strict=True
        )
    ]
    return ChunkPlan(skeleton, content_language, titles, rows)


def deliver_chunk(chunk: ClaimedChunk) -> SendResult | None:
    """Post the claimed chunk and record SendGrid's answer (or the outbox's)."""
    posted = post_chunk(chunk)
    settle_chunk(chunk, posted)
    return posted if isinstance(posted, SendResult) else None


def post_chunk(chunk: ClaimedChunk) -> SendResult | str | None:
    """The half of delivering that waits for SendGrid: the answer; the batch's status instead if it
    was cancelled or stopped since the claim (nothing leaves); None if nothing was mailable.

    With SendGrid it only reads, so the pipelined sender runs it on its posting thread while all
    writes stay on one thread (SQLite has one writer; two would queue for its lock).
    """
    if chunk.plan is None:
        return None
    status = dao_get_batch_status(chunk.batch_id)
    if status in (BatchStatus.CANCELLED, BatchStatus.STOPPED):
        return status
    return mail_backend().send_notices(build_request(chunk.plan))


def settle_chunk(chunk: ClaimedChunk, posted: SendResult | str | None) -> None:
    """The half that writes: record what ``post_chunk`` found, and commit."""
    if posted is None:
        finish_batch_if_done(chunk.batch_id)
        db.session.commit()
    elif isinstance(posted, SendResult):
        record_result(chunk.batch_id, chunk.notification_ids, posted)
    else:
        # Claimed but not posted: nothing has left, so the cancel (or the stop) applies to them too.
        _hold_back(chunk, posted)


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
    """Claim a group of chunks and send them one request each; how many notifications they held
    (0 if another worker beat us to them), None if nothing was due."""
    claimed = claim_next_chunks(now, batch_id)
    if not claimed:
        return None
    for chunk in claimed:
        deliver_chunk(chunk)
    return sum(len(chunk.notification_ids) for chunk in claimed)

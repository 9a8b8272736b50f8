"""The sending engine: claim a chunk, issue its notice codes, post it, record the answer.

The order of commits is the point:

1. claim: rows go ``queued`` -> ``sending`` with fresh notice codes and the claim's token, COMMIT
   (a group of up to SEND_CLAIM_CHUNKS chunks per commit);
2. mark: right before a chunk's request leaves, its rows that still carry the token go
   ``sending`` -> ``posting``, COMMIT; only those are posted (none if the batch was cancelled or
   stopped, or the reaper, a cancel or an admin took the rows meanwhile);
3. post the marked rows to the mail backend (nothing is locked while we wait for SendGrid);
4. record the answer for the ``posting`` rows and put any row still only ``sending`` back in the
   queue, COMMIT, retried on a fresh connection if the database refuses.

A crash before 2 leaves rows ``sending``: certainly not sent, the reaper puts them back in the
queue. A crash between 2 and 4 leaves that one chunk ``posting``: it may have reached SendGrid,
so the reaper makes it ``unknown`` and an admin decides. Nothing here ever sends a row that is
not ``queued``, so nobody is mailed twice by a retry.
"""

import logging
import secrets
from dataclasses import dataclass
from datetime import datetime

from flask import current_app

from portal.audit.chain import record_audit
from portal.constants import AuditAction, BatchStatus, NoticeCodeSource
from portal.constants import NotificationStatus as S
from portal.core.db_retry import run_transaction
from portal.core.time import utcnow
from portal.crypto.notice_codes import generate_notice_codes, notice_code_hashes
from portal.dao.batches import (
    dao_count_notifications_by_status,
    dao_find_next_send_group,
    dao_finish_batch_if_done,
    dao_get_batch,
    dao_get_template_contents,
    dao_lock_batch,
    dao_pause_batch,
)
from portal.dao.incidents import dao_get_incident
from portal.dao.notice_codes import dao_delete_notice_codes
from portal.dao.notification_queue import dao_claim_with_codes, dao_select_candidates
from portal.dao.notifications import (
    dao_lock_held,
    dao_mark_failed,
    dao_mark_posting,
    dao_release_token,
    dao_revoke_codes,
    dao_settle_held,
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
from portal.models import Notification
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
    token: str = ""  # the claim's token: the rows are ours only while they carry it

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
    wanted = max_chunks or current_app.config["SEND_CLAIM_CHUNKS"]
    memo: dict = {}  # what the group's chunks share (batch, content, incident values), looked up once
    token = secrets.token_hex(16)

    tries = 0

    def claim() -> list:
        nonlocal tries
        tries += 1
        memo.clear()
        claimed: list[tuple[int, _Issued | None, tuple | None]] = []
        moment = now or utcnow()
        if tries > 1:
            # A connection lost at COMMIT may have committed it: whatever that attempt claimed
            # under our token goes back to the queue before we claim again.
            dao_release_token(token, moment)
        while len(claimed) < wanted:
            step = _claim_one(moment, batch_id, memo, token)
            if step is None:
                break
            claimed.append(step)
        return claimed

    # The commit releases the write lock before the CPU work; a refused claim claimed nothing.
    claimed = run_transaction(claim, attempts=_db_attempts(), what="claiming a chunk")
    return [
        ClaimedChunk(bid, _plan(issued, content, memo) if issued else None, token) for bid, issued, content in claimed
    ]


def _db_attempts() -> int:
    return current_app.config["SEND_DB_ATTEMPTS"]


def _remember(memo: dict, key: tuple, compute):
    if key not in memo:
        memo[key] = compute()
    return memo[key]


def _claim_one(
    now: datetime, batch_id: int | None, memo: dict, token: str
) -> tuple[int, "_Issued | None", tuple | None] | None:
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
    return (group_batch_id, _issue_codes(incident_id, candidates, shared, now, token), content)


@dataclass(frozen=True)
class _Issued:
    shared: dict[str, str]
    # notification id, person id, first, last, email, exposed categories joined by commas, country
    recipients: list[tuple[int, int, str, str, str, str, str]]
    codes: list[tuple[str, str]]


def _issue_codes(
    incident_id: int, candidates: list[tuple], shared: dict[str, str], now: datetime, token: str
) -> _Issued | None:
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
        token,
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


FENCED = "fenced"  # post_chunk's answer when none of the chunk's rows are ours any more
PAUSED = "paused"  # post_chunk's answer when a 429 paused the batch: the rows wait for its reset


def deliver_chunk(chunk: ClaimedChunk) -> SendResult | None:
    """Post the claimed chunk and record SendGrid's answer (or the outbox's)."""
    posted = post_chunk(chunk)
    settle_chunk(chunk, posted)
    return posted if isinstance(posted, SendResult) else None


def post_chunk(chunk: ClaimedChunk) -> SendResult | str | None:
    """The half of delivering that waits for SendGrid: mark the chunk ``posting`` (``mark_chunk``),
    then post what was marked (``send_marked``). The answer; the batch's status instead if it was
    cancelled or stopped since the claim, FENCED if the rows were taken from us (nothing leaves
    either way); None if nothing was mailable."""
    marked = mark_chunk(chunk)
    return send_marked(marked) if isinstance(marked, ClaimedChunk) else marked


def mark_chunk(chunk: ClaimedChunk) -> ClaimedChunk | str | None:
    """Move the chunk's rows that still carry its token ``sending`` -> ``posting`` and commit: the
    chunk narrowed to those rows, or why none may leave (see ``post_chunk``).

    The one write on the posting side, committed before the request leaves on whatever thread
    posts; recording the answer is ``settle_chunk``'s, on the sender's thread.
    """
    if chunk.plan is None:
        return None
    marked = set(
        run_transaction(
            lambda: dao_mark_posting(chunk.notification_ids, chunk.token, utcnow()),
            attempts=_db_attempts(),
            what="marking a chunk posting",
        )
    )
    if not marked:
        batch = dao_get_batch(chunk.batch_id)
        status, paused = (batch.status, batch.paused_until) if batch else (None, None)
        db.session.rollback()
        if status in (BatchStatus.CANCELLED, BatchStatus.STOPPED):
            return status
        return PAUSED if paused is not None and paused > utcnow() else FENCED
    plan = chunk.plan
    if len(marked) < len(plan.rows):  # some rows were taken from us: only ours leave
        plan = ChunkPlan(plan.skeleton, plan.language, plan.titles, [row for row in plan.rows if row[0] in marked])
    return ClaimedChunk(chunk.batch_id, plan, chunk.token)


def send_marked(chunk: ClaimedChunk) -> SendResult:
    """Post a chunk ``mark_chunk`` returned: no database work, so a posting process can run it."""
    return mail_backend().send_notices(build_request(chunk.plan))


def settle_chunk(chunk: ClaimedChunk, posted: SendResult | str | None) -> None:
    """The half that writes: record what ``post_chunk`` found for the rows it marked ``posting``,
    put the chunk's rows it never marked back in the queue (or cancel them with their batch), and
    commit; then finish the batch if that was its last row, in a transaction of its own.

    A database that keeps refusing (``run_transaction`` gives up) leaves the rows where they are
    for the reaper: ``posting`` ones become ``unknown``, ``sending`` ones go back to the queue.
    """
    if chunk.plan is not None:
        result = posted if isinstance(posted, SendResult) else None
        try:
            run_transaction(
                lambda: _settle_rows(chunk, result),
                attempts=_db_attempts(),
                what="recording a SendGrid answer",
            )
        except Exception:
            log.error("batch %s: a chunk's answer could not be recorded; the reaper will take its rows", chunk.batch_id)
            raise
        if result is not None and result.outcome == Outcome.RATE_LIMITED and result.retry_at is not None:
            # Every sender of the batch waits for the reset, not only this one (its own transaction:
            # the batch row only).
            run_transaction(
                lambda: dao_pause_batch(chunk.batch_id, result.retry_at), attempts=_db_attempts(), what="pause"
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
        return run_transaction(lambda: finish_batch_if_done(batch_id, now), attempts=_db_attempts(), what="finish")
    if not dao_finish_batch_if_done(batch_id, now or utcnow()):
        return False
    counts = {k: v for k, v in dao_count_notifications_by_status(batch_id).items() if v}
    record_audit(AuditAction.BATCH_SENT, f"batch:{batch_id}", {"counts": counts}, actor=SYSTEM_ACTOR)
    return True

"""Posting a claimed chunk: the ``posting`` mark that fences it (committed, checking the claim's
token), then the request to the mail backend. Steps 2 and 3 of the state machine in claim.py."""

import logging

from portal.constants import BatchStatus
from portal.core.db_retry import run_transaction
from portal.core.time import utcnow
from portal.dao.batches import (
    dao_get_batch,
)
from portal.dao.notifications import (
    dao_mark_posting,
)
from portal.extensions import db
from portal.mail import mail_backend
from portal.mail.notices import NoticeRequest, Recipient, SendResult
from portal.mail.rendering import (
    SubstitutionBuilder,
)
from portal.sending.claim import ChunkPlan, ClaimedChunk
from portal.sending.retry import db_attempts
from portal.sending.settle import settle_chunk

log = logging.getLogger(__name__)


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


FENCED = "fenced"  # post_chunk's answer when none of the chunk's rows are ours any more
PAUSED = "paused"  # post_chunk's answer when a 429 paused the batch: the rows wait for its reset


def deliver_chunk(chunk: ClaimedChunk) -> SendResult | None:
    """Post the claimed chunk and record SendGrid's answer (or the outbox's).

    The outbox's "post" writes the mail, which must commit with the rows' new status: it runs
    inside the settling transaction, each attempt of it (``settle_chunk``'s ``deliver_within``)."""
    if mail_backend().posts_over_network:
        posted = post_chunk(chunk)
        settle_chunk(chunk, posted)
        return posted if isinstance(posted, SendResult) else None
    marked = mark_chunk(chunk)
    if not isinstance(marked, ClaimedChunk):
        settle_chunk(chunk, marked)
        return None
    return settle_chunk(chunk, None, deliver_within=lambda: send_marked(marked))


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
            attempts=db_attempts(),
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

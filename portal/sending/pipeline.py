"""``send_until_idle``: one sender that keeps SendGrid busy while it prepares the next requests.

The sender's own thread does all the database work. It claims a group of chunks and queues them
for a second thread, which posts them one by one (``post_chunk``: a read and the HTTP request, no
writes). While they are on their way it claims and queues the next group, then records each answer
of the first as soon as it is in (``settle_chunk``). Keeping every write on one thread matters on
SQLite, which has a single writer: two threads writing would queue for its lock and most of the
overlap would be lost.

Up to two groups (twice SEND_CLAIM_CHUNKS chunks) can be claimed but not yet posted: a crash leaves
them ``sending`` for the reaper like the chunk in flight, and ``post_chunk`` holds a chunk back if
its batch was cancelled or stopped meanwhile. The outbox backend "posts" by writing rows that must
commit with the notifications' new status, so with it chunks are delivered one after another.

With enough to send (SEND_POSTING_PROCESS_MIN_NOTICES), the posting thread hands each chunk to a
posting process (posting_process.py) and waits for its answer with the GIL released, so that
building and encoding the requests no longer takes turns with the database work.
"""

import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor

from flask import current_app

from portal.core.time import utcnow
from portal.dao.batches import dao_count_due_notifications
from portal.extensions import db
from portal.mail import mail_backend
from portal.mail.notices import Outcome, SendResult
from portal.sending.claim import ClaimedChunk, claim_next_chunks
from portal.sending.posting import deliver_chunk, mark_chunk, send_marked
from portal.sending.posting_process import PostingProcess, PostingProcessGone, posting_process_config
from portal.sending.settle import settle_chunk

log = logging.getLogger(__name__)

_STOP_POSTING = (Outcome.UNAUTHORIZED, Outcome.RATE_LIMITED)
GONE_WHILE_POSTING = "The posting process stopped while it had them"


def send_until_idle(
    batch_id: int | None = None, max_chunks: int | None = None, should_stop: Callable[[], bool] | None = None
) -> int:
    """Send chunks until nothing is due (rows waiting for a retry time are left), ``max_chunks``
    have been claimed or ``should_stop()`` says so; notices handled."""
    app = current_app._get_current_object()
    group_size = app.config["SEND_CLAIM_CHUNKS"]
    chunks = handled = 0

    def claim_group() -> list[ClaimedChunk]:
        nonlocal chunks, handled
        wanted = group_size if max_chunks is None else min(group_size, max_chunks - chunks)
        if should_stop is not None and should_stop():
            wanted = 0
        claimed = claim_next_chunks(batch_id=batch_id, max_chunks=wanted) if wanted > 0 else []
        chunks += len(claimed)
        handled += sum(len(chunk.notification_ids) for chunk in claimed)
        return claimed

    if not mail_backend().posts_over_network:
        while claimed := claim_group():
            for chunk in claimed:
                deliver_chunk(chunk)
        return handled

    poster = _Poster(app, _posting_process(app, batch_id, max_chunks))
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="portal-post") as executor:
        outstanding: list[tuple[ClaimedChunk, Future]] = []  # claimed and not settled yet
        try:
            group = claim_group()
            posting = [executor.submit(poster.post, chunk) for chunk in group]
            outstanding = list(zip(group, posting, strict=True))
            while group:
                following = claim_group()  # while this group is on its way to SendGrid
                queued = [executor.submit(poster.post, chunk) for chunk in following]
                outstanding += zip(following, queued, strict=True)
                _settle(group, posting)
                group, posting = following, queued
                outstanding = list(zip(group, posting, strict=True))
        except BaseException:
            # Posts not started yet are dropped; what was posted is recorded and what was claimed
            # but never marked goes back to the queue, rather than waiting for the reaper.
            db.session.rollback()
            executor.shutdown(wait=True, cancel_futures=True)
            _settle_on_the_way_out(outstanding)
            raise
        finally:
            poster.close()
    return handled


def _posting_process(app, batch_id: int | None, max_chunks: int | None) -> PostingProcess | None:
    """A posting process, if this call has enough to send to pay for starting one (most of a second)."""
    least = app.config["SEND_POSTING_PROCESS_MIN_NOTICES"]
    if not least or (max_chunks is not None and max_chunks * app.config["SEND_CHUNK_SIZE"] < least):
        return None
    config = posting_process_config(app)
    if config is None or dao_count_due_notifications(utcnow(), batch_id, at_most=least) < least:
        return None
    return PostingProcess(config)


def _settle_on_the_way_out(outstanding: list[tuple[ClaimedChunk, Future]]) -> None:
    """Record the answers that came in, release the rest; a database that still refuses leaves
    the rows to the reaper (``sending`` back to the queue, ``posting`` to ``unknown``)."""
    for chunk, future in outstanding:
        answered = future.done() and not future.cancelled() and future.exception() is None
        try:
            settle_chunk(chunk, future.result() if answered else None)
        except Exception:
            log.exception("batch %s: a chunk left for the reaper", chunk.batch_id)
            db.session.rollback()


def _settle(group: list[ClaimedChunk], posting: list[Future]) -> None:
    """Record each chunk's answer as soon as it is in, so a crash later loses none of them."""
    for chunk, future in zip(group, posting, strict=True):
        settle_chunk(chunk, future.result())


class _Poster:
    """Posts chunks one after another on the posting thread, through the posting process once it
    is ready, else itself. After a refused key or a rate limit, later chunks are not posted but get
    the same answer: requeued (and for a refused key the batch stops when that answer is recorded),
    instead of hammering SendGrid meanwhile."""

    def __init__(self, app, process: PostingProcess | None = None):
        self.app = app
        self.process = process
        self.refusal: SendResult | None = None

    def post(self, chunk: ClaimedChunk):
        if self.refusal is not None and self._refusal_over():
            self.refusal = None
        if self.refusal is not None and chunk.plan is not None:
            return self.refusal  # not marked, so settling puts the rows back in the queue
        marked = self._mark(chunk)
        if not isinstance(marked, ClaimedChunk):
            return marked
        if self.process is not None and self.process.usable():
            posted = self._through_process(marked)
        else:
            posted = self._here(marked)
        if isinstance(posted, SendResult) and posted.outcome in _STOP_POSTING:
            self.refusal = posted
        return posted

    def _refusal_over(self) -> bool:
        """A 429 holds only until its reset: a sender still running after it (a Celery task's minute)
        must post again, not answer every chunk it claims with the old 429 (that requeued them as
        due at once, and it claimed them again: a busy loop that sent nothing until the deadline)."""
        refusal = self.refusal
        return refusal.outcome == Outcome.RATE_LIMITED and (refusal.retry_at is None or refusal.retry_at <= utcnow())

    def _mark(self, chunk: ClaimedChunk):
        """The ``posting`` mark, committed here on the posting thread right before the request."""
        with self.app.app_context():
            try:
                return mark_chunk(chunk)
            finally:
                db.session.remove()

    def _here(self, chunk: ClaimedChunk):
        with self.app.app_context():
            return send_marked(chunk)

    def _through_process(self, chunk: ClaimedChunk):
        try:
            return self.process.post(chunk)
        except PostingProcessGone:
            # It may have posted the chunk before it stopped: only a person can tell
            # (docs/architecture.md, "The sending rules").
            return SendResult(Outcome.AMBIGUOUS, reason=GONE_WHILE_POSTING)

    def close(self) -> None:
        if self.process is not None:
            log.info("posting process: %d chunks posted by it", self.process.posted)
            self.process.close()

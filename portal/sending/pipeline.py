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
"""

from concurrent.futures import Future, ThreadPoolExecutor

from flask import current_app

from portal.extensions import db
from portal.mail import mail_backend
from portal.mail.notices import Outcome, SendResult
from portal.sending.engine import ClaimedChunk, claim_next_chunks, deliver_chunk, post_chunk, settle_chunk

_STOP_POSTING = (Outcome.UNAUTHORIZED, Outcome.RATE_LIMITED)


def send_until_idle(batch_id: int | None = None, max_chunks: int | None = None) -> int:
    """Send chunks until nothing is due (rows waiting for a retry time are left); notices handled."""
    app = current_app._get_current_object()
    group_size = app.config["SEND_CLAIM_CHUNKS"]
    chunks = handled = 0

    def claim_group() -> list[ClaimedChunk]:
        nonlocal chunks, handled
        wanted = group_size if max_chunks is None else min(group_size, max_chunks - chunks)
        claimed = claim_next_chunks(batch_id=batch_id, max_chunks=wanted) if wanted > 0 else []
        chunks += len(claimed)
        handled += sum(len(chunk.notification_ids) for chunk in claimed)
        return claimed

    if not mail_backend().posts_over_network:
        while claimed := claim_group():
            for chunk in claimed:
                deliver_chunk(chunk)
        return handled

    poster = _Poster(app)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="portal-post") as executor:
        try:
            group = claim_group()
            posting = [executor.submit(poster.post, chunk) for chunk in group]
            while group:
                try:
                    following = claim_group()  # while this group is on its way to SendGrid
                except BaseException:
                    db.session.rollback()
                    _settle(group, posting)  # what was posted is recorded, not left for the reaper
                    raise
                queued = [executor.submit(poster.post, chunk) for chunk in following]
                _settle(group, posting)
                group, posting = following, queued
        except BaseException:
            # Posts not started yet are dropped: their rows stay "sending" for the reaper, as after a crash.
            executor.shutdown(wait=True, cancel_futures=True)
            raise
    return handled


def _settle(group: list[ClaimedChunk], posting: list[Future]) -> None:
    """Record each chunk's answer as soon as it is in, so a crash later loses none of them."""
    for chunk, future in zip(group, posting, strict=True):
        settle_chunk(chunk, future.result())


class _Poster:
    """Posts chunks one after another on the posting thread. After a refused key or a rate limit,
    later chunks are not posted but get the same answer: requeued (and for a refused key the batch
    stops when that answer is recorded), instead of hammering SendGrid meanwhile."""

    def __init__(self, app):
        self.app = app
        self.refusal: SendResult | None = None

    def post(self, chunk: ClaimedChunk):
        if self.refusal is not None and chunk.request is not None:
            return self.refusal
        with self.app.app_context():
            try:
                posted = post_chunk(chunk)
            finally:
                db.session.remove()
        if isinstance(posted, SendResult) and posted.outcome in _STOP_POSTING:
            self.refusal = posted
        return posted

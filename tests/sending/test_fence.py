"""The claim that fences: a sender posts only rows that still carry its claim's token, marked
``posting`` in a committed UPDATE right before the request; only those can become ``unknown``.
And settling never deadlocks: the batch row first, the chunk's rows once, in id order."""

import logging
from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.constants import BatchStatus
from portal.core.time import utcnow
from portal.extensions import db
from portal.mail.notices import Outcome, SendResult
from portal.models import Batch, NoticeCode, Notification
from portal.sending.claim import ClaimedChunk, claim_next_chunks
from portal.sending.pipeline import send_until_idle
from portal.sending.posting import FENCED, PAUSED, mark_chunk, post_chunk, send_marked
from portal.sending.service import reap_stale_sending, resolve_unknown
from portal.sending.settle import settle_chunk
from tests.conftest import ON_POSTGRES
from tests.factories import make_batch_with_notifications
from tests.fakes.sendgrid_server import Reply
from tests.live import at_once
from tests.sending.conftest import statuses


@pytest.fixture
def small_chunks(override_config):
    override_config(SEND_CHUNK_SIZE=10, SEND_CLAIM_CHUNKS=3)


def test_a_paused_sender_posts_nothing_of_what_was_reaped_and_resent(sendgrid_app, fake_sendgrid, small_chunks):
    """Fault 4: paused after its claim, reaped, resent by an admin, then woken: it posts nothing old."""
    batch = make_batch_with_notifications(30)
    first, second, third = claim_next_chunks()
    in_flight = mark_chunk(first)
    assert send_marked(in_flight).outcome == Outcome.ACCEPTED  # SendGrid got it; then the sender froze

    # The reaper: only the marked chunk "may have been sent"; the two never marked go back to the queue.
    assert reap_stale_sending(timedelta(0)) == 10
    assert statuses(batch.id) == {"unknown": 10, "queued": 20}
    assert resolve_unknown(batch.id, None, "resend") == 10  # an admin's choice: they are mailed again
    send_until_idle()
    assert statuses(batch.id) == {"accepted": 30}
    posted_before = len(fake_sendgrid.requests)

    # The paused sender wakes up with its three chunks.
    assert post_chunk(second) == FENCED and post_chunk(third) == FENCED
    assert len(fake_sendgrid.requests) == posted_before  # nothing of the old claim left
    for chunk, answer in ((first, SendResult(Outcome.ACCEPTED, message_id="old")), (second, FENCED)):
        settle_chunk(chunk, answer)
    assert statuses(batch.id) == {"accepted": 30}
    assert "old" not in set(db.session.scalars(select(Notification.provider_message_id)))
    mailed = fake_sendgrid.possibly_mailed()
    resent = {str(nid) for nid in first.notification_ids}
    assert {nid for nid, times in mailed.items() if times > 1} == resent  # only what the admin resent
    assert set(mailed) == {str(n) for n in db.session.scalars(select(Notification.id))}


def test_rows_a_cancel_caught_before_their_mark_are_cancelled_and_their_codes_revoked(
    sendgrid_app, fake_sendgrid, small_chunks
):
    batch = make_batch_with_notifications(20)
    first, second = claim_next_chunks()
    db.session.get(Batch, batch.id).status = BatchStatus.CANCELLED
    db.session.commit()
    for chunk in (first, second):
        assert post_chunk(chunk) == BatchStatus.CANCELLED
        settle_chunk(chunk, BatchStatus.CANCELLED)
    assert statuses(batch.id) == {"cancelled": 20} and fake_sendgrid.requests == []
    revoked = db.session.scalars(select(NoticeCode.revoked_at))
    assert all(at is not None for at in revoked)


def test_a_sender_that_fails_mid_group_puts_its_unposted_chunks_back_in_the_queue(
    sendgrid_app, fake_sendgrid, small_chunks, monkeypatch
):
    """Fault 5: only the chunk in flight may have been sent; the rest of the group was not."""
    import portal.sending.pipeline as pipeline

    batch = make_batch_with_notifications(60)
    settle = pipeline.settle_chunk
    calls = []

    def settle_then_fail(chunk, answer):
        settle(chunk, answer)
        calls.append(chunk)
        if len(calls) == 2:
            raise RuntimeError("the sender's thread dies here")

    monkeypatch.setattr(pipeline, "settle_chunk", settle_then_fail)
    with pytest.raises(RuntimeError):
        send_until_idle()
    monkeypatch.setattr(pipeline, "settle_chunk", settle)
    left = statuses(batch.id)
    assert "sending" not in left and "unknown" not in left
    # what was posted was recorded; what was claimed and not posted is queued again
    assert left["accepted"] == sum(len(r.notification_ids) for r in fake_sendgrid.requests)
    assert left["accepted"] + left.get("queued", 0) + left.get("posting", 0) == 60
    reap_stale_sending(timedelta(0))
    send_until_idle()
    assert statuses(batch.id)["accepted"] + statuses(batch.id).get("unknown", 0) == 60
    assert all(times == 1 for times in fake_sendgrid.possibly_mailed().values())


@pytest.mark.postgres_only
@pytest.mark.skipif(not ON_POSTGRES, reason="row locks and deadlocks are PostgreSQL's; the PostgreSQL pass runs it")
def test_settling_429s_500s_and_202s_side_by_side_never_deadlocks(app, sendgrid_app, override_config, caplog):
    """Fault 1: two workers recording failure answers for chunks of one batch deadlocked."""
    override_config(SEND_CHUNK_SIZE=25, SEND_CLAIM_CHUNKS=1, SEND_BACKOFF_SECONDS=0.01)
    batch = make_batch_with_notifications(8 * 25)
    caplog.set_level(logging.WARNING, logger="portal.core.db_retry")
    answers = [
        SendResult(Outcome.RATE_LIMITED, retry_at=utcnow() + timedelta(seconds=1), reason="429"),
        SendResult(Outcome.NOT_SENT, status_code=500, reason="500"),
        SendResult(Outcome.ACCEPTED, message_id="m"),
        SendResult(Outcome.REJECTED, status_code=400, reason="400"),
    ]
    rounds = 0
    while statuses(batch.id).get("queued") and rounds < 10:
        rounds += 1
        db.session.execute(
            Notification.__table__.update().where(Notification.batch_id == batch.id).values(next_attempt_at=None)
        )
        # Time passes between rounds: the 429's pause of the whole batch is over too.
        db.session.execute(Batch.__table__.update().where(Batch.id == batch.id).values(paused_until=None))
        db.session.commit()
        # After a few rounds of every kind of answer at once, SendGrid takes the rest.
        answer_of = (lambda i: answers[i % len(answers)]) if rounds < 4 else (lambda i: answers[2])

        def work(index: int, answer_of=answer_of):
            with app.app_context():
                try:
                    for chunk in claim_next_chunks():
                        marked = mark_chunk(chunk)
                        if isinstance(marked, ClaimedChunk):
                            settle_chunk(marked, answer_of(index))
                        elif marked is not None:  # paused by another's 429, or fenced: not posted, rows go back
                            settle_chunk(chunk, marked)
                finally:
                    db.session.remove()

        results = at_once(8, work)
        assert not [r for r in results if isinstance(r, Exception)], results
    final = statuses(batch.id)
    assert set(final) <= {"accepted", "failed", "queued"} and "queued" not in final, final
    assert not [r for r in caplog.records if "refused" in r.getMessage()], "a settle was refused and retried"
    db.session.expire_all()
    assert db.session.get(Batch, batch.id).status == BatchStatus.SENT


def test_a_429_pauses_the_whole_batch_for_every_sender(sendgrid_app, fake_sendgrid, small_chunks):
    """Fault 6: another sender's chunks of the batch wait for the reset instead of meeting 429s too."""
    batch = make_batch_with_notifications(20)
    mine = claim_next_chunks(max_chunks=1)[0]
    theirs = claim_next_chunks(max_chunks=1)[0]  # another worker's claim
    assert mine.token != theirs.token
    fake_sendgrid.script(Reply.rate_limited(reset_in=30))
    settle_chunk(mine, post_chunk(mine))
    assert post_chunk(theirs) == PAUSED  # not posted: the batch waits
    settle_chunk(theirs, PAUSED)
    assert len(fake_sendgrid.requests) == 1 and statuses(batch.id) == {"queued": 20}
    db.session.expire_all()
    paused_until = db.session.get(Batch, batch.id).paused_until
    assert paused_until is not None and paused_until > utcnow() + timedelta(seconds=20)
    waits = set(db.session.scalars(select(Notification.next_attempt_at).where(Notification.batch_id == batch.id)))
    assert all(at is not None and at >= paused_until - timedelta(seconds=1) for at in waits)
    assert claim_next_chunks() == []  # nothing of the batch is due before the reset

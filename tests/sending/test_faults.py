"""What SendGrid (or the network) can do to a batch, and what every notification ends up as.

After each: every notification is in exactly one correct state and nobody was posted twice in a
request SendGrid accepted or might have accepted (answered 202, or never answered).
"""

import time

import pytest
from sqlalchemy import select

from portal.constants import BatchStatus
from portal.extensions import db
from portal.models import Batch, NoticeCode, Notification
from portal.sending.pipeline import send_until_idle
from portal.sending.service import cancel_batch, dispatch_batch, resolve_unknown, retry_failed
from tests.factories import make_batch_with_notifications
from tests.fakes.sendgrid_server import Reply
from tests.sending.conftest import all_ids, assert_nobody_mailed_twice, send_in_background, statuses, wait_for_requests


def send_until_settled(batch_id: int, timeout: float = 15.0) -> None:
    """Keep sending (waiting out backoff and rate limits) until the batch leaves SENDING."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        send_until_idle()
        db.session.expire_all()
        if db.session.get(Batch, batch_id).status != BatchStatus.SENDING:
            return
        time.sleep(0.05)
    raise AssertionError(f"batch still sending: {statuses(batch_id)}")


def batch(batch_id: int) -> Batch:
    db.session.expire_all()
    return db.session.get(Batch, batch_id)


def test_429_waits_for_the_reset_time_then_sends(sendgrid_app, fake_sendgrid):
    fake_sendgrid.script(Reply.rate_limited(reset_in=1), 202)
    b = make_batch_with_notifications(5)
    send_until_idle()
    assert statuses(b.id) == {"queued": 5}
    waiting = db.session.scalars(select(Notification)).all()
    assert all(n.next_attempt_at is not None and n.attempts == 0 for n in waiting)
    assert all("429" in n.last_error for n in waiting)
    started = time.monotonic()
    send_until_settled(b.id)
    assert time.monotonic() - started >= 0.3
    assert statuses(b.id) == {"accepted": 5}
    assert [r.status for r in fake_sendgrid.requests] == [429, 202]
    assert_nobody_mailed_twice(fake_sendgrid)


def test_three_500s_then_202_is_sent_once(sendgrid_app, fake_sendgrid):
    fake_sendgrid.script(500, 500, 500, 202)
    b = make_batch_with_notifications(4)
    send_until_settled(b.id)
    assert statuses(b.id) == {"accepted": 4}
    assert [r.status for r in fake_sendgrid.requests] == [500, 500, 500, 202]
    assert {n.attempts for n in db.session.scalars(select(Notification))} == {4}
    assert_nobody_mailed_twice(fake_sendgrid)


def test_retries_run_out_and_the_rows_fail_with_the_reason(sendgrid_app, fake_sendgrid, override_config):
    override_config(SEND_MAX_ATTEMPTS=3)
    fake_sendgrid.script(500, 503, 500)
    b = make_batch_with_notifications(3)
    send_until_settled(b.id)
    assert statuses(b.id) == {"failed": 3}
    failed = db.session.scalars(select(Notification)).all()
    assert all("gave up after 3 attempts" in n.last_error and n.failed_at for n in failed)
    assert batch(b.id).status == BatchStatus.SENT
    # the codes issued for the failed attempts reached nobody, so none of them works
    assert all(code.revoked_at is not None for code in db.session.scalars(select(NoticeCode)))
    assert retry_failed(b.id) == 3
    send_until_settled(b.id)
    assert statuses(b.id) == {"accepted": 3}
    assert_nobody_mailed_twice(fake_sendgrid)


def test_a_timeout_leaves_the_chunk_unknown_and_never_resends_it_by_itself(sendgrid_app, fake_sendgrid):
    fake_sendgrid.script(Reply.hang())
    b = make_batch_with_notifications(3)
    started = time.monotonic()
    send_until_settled(b.id)
    assert time.monotonic() - started < 3, "the client timeout (1 s) must cut the wait short"
    assert statuses(b.id) == {"unknown": 3}
    assert batch(b.id).status == BatchStatus.SENT  # nothing left to send without an admin
    # The codes stay valid: the person may have them.
    assert all(code.revoked_at is None for code in db.session.scalars(select(NoticeCode)))
    send_until_idle()
    assert len(fake_sendgrid.requests) == 1
    assert_nobody_mailed_twice(fake_sendgrid)
    # The admin decides to resend: a second post, on purpose (the inline engine sends at once).
    assert resolve_unknown(b.id, None, "resend") == 3
    send_until_settled(b.id)
    assert statuses(b.id) == {"accepted": 3}
    assert [r.status for r in fake_sendgrid.requests] == ["hang", 202]


def test_unknown_rows_can_be_marked_sent_instead(sendgrid_app, fake_sendgrid):
    fake_sendgrid.script(Reply.hang())
    b = make_batch_with_notifications(2)
    send_until_settled(b.id)
    one = int(all_ids(b.id)[0])
    assert resolve_unknown(b.id, [one], "mark_sent") == 1
    assert statuses(b.id) == {"accepted": 1, "unknown": 1}
    assert len(fake_sendgrid.requests) == 1


def test_a_400_fails_only_its_own_chunk_with_sendgrids_reason(sendgrid_app, fake_sendgrid):
    fake_sendgrid.script(202, Reply.error(400, "The subject is required.", "subject"), 202)
    b = make_batch_with_notifications(2100)
    send_until_settled(b.id)
    assert statuses(b.id) == {"accepted": 1100, "failed": 1000}
    failed = db.session.scalars(select(Notification).where(Notification.status == "failed")).all()
    assert {n.last_error for n in failed} == {"SendGrid rejected the request (400): subject: The subject is required."}
    assert batch(b.id).status == BatchStatus.SENT
    assert_nobody_mailed_twice(fake_sendgrid)


def test_401_stops_the_batch_and_tells_the_admin(sendgrid_app, fake_sendgrid, override_config):
    override_config(SENDGRID_API_KEY="SG.revoked")
    b = make_batch_with_notifications(1500)
    send_until_idle()
    stopped = batch(b.id)
    assert stopped.status == BatchStatus.STOPPED
    assert "401" in stopped.stop_reason and "authorization grant" in stopped.stop_reason
    assert statuses(b.id) == {"queued": 1500}
    assert len(fake_sendgrid.requests) == 1  # no worker keeps hammering a refused key
    override_config(SENDGRID_API_KEY=fake_sendgrid.api_key)
    dispatch_batch(b.id)  # the admin fixed the key and restarts it
    assert statuses(b.id) == {"accepted": 1500}
    assert batch(b.id).stop_reason == ""
    assert_nobody_mailed_twice(fake_sendgrid)


def test_an_unreachable_sendgrid_is_retried_later(sendgrid_app, fake_sendgrid, override_config):
    override_config(SENDGRID_HOST="http://127.0.0.1:9")  # discard port: nothing listens
    b = make_batch_with_notifications(2)
    send_until_idle()
    rows = db.session.scalars(select(Notification)).all()
    assert statuses(b.id) == {"queued": 2}
    assert all("Could not reach SendGrid" in n.last_error and n.next_attempt_at for n in rows)
    override_config(SENDGRID_HOST=fake_sendgrid.url)
    send_until_settled(b.id)
    assert statuses(b.id) == {"accepted": 2}


@pytest.mark.parametrize(("claim_chunks", "cancelled_while_queued"), [(1, (500, 1500)), (5, (0, 0))])
def test_cancel_mid_send_lets_the_chunk_in_flight_finish_and_stops_the_rest(
    app, sendgrid_app, fake_sendgrid, override_config, claim_chunks, cancelled_while_queued
):
    # One chunk per claim: the rows behind the pipelined sender are still queued when the cancel
    # comes. Five: all three chunks were claimed together, so the cancel finds none queued and the
    # two unposted chunks are held back by the sender instead. The end is the same.
    override_config(SEND_CLAIM_CHUNKS=claim_chunks)
    fake_sendgrid.script(Reply.slow(0.6))
    b = make_batch_with_notifications(2500)
    batch_id = b.id

    thread = send_in_background(app)
    wait_for_requests(fake_sendgrid)  # the first chunk is in flight
    low, high = cancelled_while_queued
    assert low <= cancel_batch(batch_id) <= high
    thread.join(10)
    assert statuses(batch_id) == {"accepted": 1000, "cancelled": 1500}
    assert batch(batch_id).status == BatchStatus.CANCELLED
    assert len(fake_sendgrid.requests) == 1
    assert_nobody_mailed_twice(fake_sendgrid)


def test_a_sender_still_running_after_a_429s_reset_posts_again(sendgrid_app, fake_sendgrid):
    """A Celery task runs its loop for a minute; rows other workers requeue keep falling due. Before,
    a 429 answered every chunk the task claimed for the rest of that minute, long after its reset:
    each came back due at once and was claimed again, a busy loop that posted nothing."""
    from datetime import timedelta

    from portal.core.time import utcnow
    from portal.mail.notices import Outcome, SendResult
    from portal.sending.claim import claim_next_chunks
    from portal.sending.pipeline import _Poster
    from portal.sending.settle import settle_chunk

    b = make_batch_with_notifications(4)
    poster = _Poster(sendgrid_app)
    poster.refusal = SendResult(Outcome.RATE_LIMITED, retry_at=utcnow() + timedelta(seconds=30), reason="429")
    (chunk,) = claim_next_chunks(max_chunks=1)
    held = poster.post(chunk)
    settle_chunk(chunk, held)
    assert held.outcome == Outcome.RATE_LIMITED and fake_sendgrid.requests == []  # until the reset: held back

    poster.refusal = SendResult(Outcome.RATE_LIMITED, retry_at=utcnow() - timedelta(seconds=1), reason="429")
    db.session.execute(Notification.__table__.update().values(next_attempt_at=None))  # the reset has passed
    db.session.execute(Batch.__table__.update().values(paused_until=None))
    db.session.commit()
    (chunk,) = claim_next_chunks(max_chunks=1)
    posted = poster.post(chunk)
    settle_chunk(chunk, posted)
    assert posted.outcome == Outcome.ACCEPTED and len(fake_sendgrid.requests) == 1
    assert statuses(b.id) == {"accepted": 4}

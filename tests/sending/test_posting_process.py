"""The sender's posting process (portal/sending/posting_process.py): same answers, same faults.

Each test lowers SEND_POSTING_PROCESS_MIN_NOTICES so a small batch starts one. Unless a test is
about the start-up, the posting thread waits for the process to be ready instead of posting the
first chunks itself, so the chunks do go through the process.
"""

import signal
import sys
from dataclasses import replace
from types import SimpleNamespace as Content

import pytest

from portal.constants import BatchStatus
from portal.extensions import db
from portal.mail.notices import Outcome
from portal.mail.rendering import notice_skeleton, starter_body
from portal.models import Batch
from portal.sending import pipeline
from portal.sending.claim import ChunkPlan, ClaimedChunk
from portal.sending.pipeline import send_until_idle
from portal.sending.posting_process import PostingProcess, PostingProcessError, posting_process_config
from portal.sending.service import cancel_batch
from tests.factories import make_batch_with_notifications
from tests.fakes.sendgrid_server import Reply
from tests.sending.conftest import assert_nobody_mailed_twice, send_in_background, statuses, wait_for_requests


@pytest.fixture
def started(monkeypatch, override_config):
    """The posting processes the sender starts, in order."""
    override_config(SEND_POSTING_PROCESS_MIN_NOTICES=1, SEND_CLAIM_CHUNKS=1)
    made: list[PostingProcess] = []

    class Recorded(PostingProcess):
        def __init__(self, config):
            super().__init__(config)
            made.append(self)

    monkeypatch.setattr(pipeline, "PostingProcess", Recorded)
    return made


@pytest.fixture
def waited_for(monkeypatch):
    usable = PostingProcess.usable
    monkeypatch.setattr(PostingProcess, "usable", lambda self, wait=0: usable(self, wait=60))


def test_a_big_send_is_posted_by_the_process(sendgrid_app, fake_sendgrid, started, waited_for):
    b = make_batch_with_notifications(2500)
    assert send_until_idle() == 2500
    assert statuses(b.id) == {"accepted": 2500}
    assert [r.personalizations for r in fake_sendgrid.requests] == [1000, 1000, 500]
    assert len(started) == 1 and started[0].posted == 3
    assert started[0].process.returncode == 0  # it ended when the sender closed its stdin
    assert_nobody_mailed_twice(fake_sendgrid)


def test_a_small_send_starts_no_process(sendgrid_app, fake_sendgrid, started, override_config):
    override_config(SEND_POSTING_PROCESS_MIN_NOTICES=6)
    b = make_batch_with_notifications(5)
    send_until_idle()
    assert statuses(b.id) == {"accepted": 5} and started == []


def test_the_thread_posts_until_the_process_is_ready(sendgrid_app, fake_sendgrid, started):
    b = make_batch_with_notifications(2500)
    send_until_idle()  # three quick chunks: most or all posted before the process has started
    assert statuses(b.id) == {"accepted": 2500}
    assert len(fake_sendgrid.requests) == 3 and started[0].posted <= 3
    assert_nobody_mailed_twice(fake_sendgrid)


def test_without_an_interpreter_to_start_the_thread_posts_everything(sendgrid_app, fake_sendgrid, started, monkeypatch):
    monkeypatch.setattr(sys, "executable", "/nonexistent/python")
    b = make_batch_with_notifications(2500)
    send_until_idle()
    assert statuses(b.id) == {"accepted": 2500}
    assert started[0].state == PostingProcess.GONE and started[0].posted == 0


def test_a_refused_key_stops_the_batch_after_one_request(
    sendgrid_app, fake_sendgrid, started, waited_for, override_config
):
    override_config(SENDGRID_API_KEY="SG.revoked")
    b = make_batch_with_notifications(2500)
    send_until_idle()
    db.session.expire_all()
    assert db.session.get(Batch, b.id).status == BatchStatus.STOPPED
    assert statuses(b.id) == {"queued": 2500}
    assert len(fake_sendgrid.requests) == 1 and started[0].posted == 1


def test_a_cancel_holds_back_the_chunks_waiting_for_the_process(
    app, sendgrid_app, fake_sendgrid, started, waited_for, override_config
):
    override_config(SEND_CLAIM_CHUNKS=5)  # all three chunks claimed at once: the cancel finds none queued
    fake_sendgrid.script(Reply.slow(0.6))
    b = make_batch_with_notifications(2500)
    thread = send_in_background(app)
    wait_for_requests(fake_sendgrid)  # the first chunk is in flight
    assert cancel_batch(b.id) == 0
    thread.join(30)
    assert statuses(b.id) == {"accepted": 1000, "cancelled": 1500}
    # The posting thread's ``posting`` mark found the batch cancelled: the process never got the two.
    assert len(fake_sendgrid.requests) == 1 and started[0].posted == 1
    assert_nobody_mailed_twice(fake_sendgrid)


def test_a_process_killed_mid_chunk_leaves_that_chunk_to_an_admin(
    app, sendgrid_app, fake_sendgrid, started, waited_for
):
    fake_sendgrid.script(Reply.slow(0.8))  # under the client's one-second timeout
    b = make_batch_with_notifications(2500)
    thread = send_in_background(app)
    wait_for_requests(fake_sendgrid)
    started[0].process.send_signal(signal.SIGKILL)
    thread.join(30)
    # SendGrid got that chunk (and may send it); nobody can know from here, so a person decides.
    # The thread posted the two chunks the process never got.
    assert statuses(b.id) == {"unknown": 1000, "accepted": 1500}
    assert len(fake_sendgrid.requests) == 3
    assert_nobody_mailed_twice(fake_sendgrid)


def test_a_chunk_the_process_cannot_post_raises_in_the_sender_and_the_process_carries_on(sendgrid_app, fake_sendgrid):
    # As on the thread: the sender stops with the error and the claimed rows stay for the reaper.
    process = PostingProcess(posting_process_config(sendgrid_app))
    try:
        assert process.usable(wait=60)
        good = ChunkPlan(
            notice_skeleton(Content(subject="Notice", body_markdown=starter_body()), {}),
            "en",
            {},
            [
                (1, "Amina", "Okafor", "amina@example.org", "", "ABCD-EFGH-JKMN", "KRA PIN or national ID number"),
            ],
        )
        broken = replace(good, skeleton=replace(good.skeleton, personal=("no_such_placeholder",)))
        with pytest.raises(PostingProcessError, match="KeyError"):
            process.post(ClaimedChunk(batch_id=0, plan=broken))
        assert process.post(ClaimedChunk(batch_id=0, plan=good)).outcome == Outcome.ACCEPTED
        assert [r.personalizations for r in fake_sendgrid.requests] == [1]
    finally:
        process.close()
    assert process.process.returncode == 0

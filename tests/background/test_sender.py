"""The in-process sending thread (its own app context and session): started on the first request in
thread mode, never in inline mode, and sending what is dispatched."""

import time

import pytest

from portal.background.sender import sending_thread, stop_sending_thread
from portal.constants import BatchStatus
from portal.extensions import db
from portal.models import Batch
from portal.sending.service import dispatch_batch
from tests.factories import make_batch_with_notifications
from tests.sending.conftest import statuses


@pytest.fixture
def thread_mode(app, override_config):
    override_config(SENDING_ENGINE="thread")
    yield app
    stop_sending_thread(app)
    app.extensions.pop("sending_thread", None)


def wait_for_status(batch_id, status, timeout=20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        db.session.expire_all()
        if db.session.get(Batch, batch_id).status == status:
            return
        time.sleep(0.05)
    raise AssertionError(f"batch never became {status}: {statuses(batch_id)}")


def test_the_background_thread_sends_a_dispatched_batch(thread_mode):
    with thread_mode.app_context():
        batch = make_batch_with_notifications(1200, status=BatchStatus.APPROVED)
        dispatch_batch(batch.id)  # returns at once; the thread does the work
        wait_for_status(batch.id, BatchStatus.SENT)
        assert statuses(batch.id) == {"delivered": 1200}
        assert sending_thread(thread_mode).alive()


def test_the_thread_starts_on_the_first_request_not_at_start_up(thread_mode, client):
    assert "sending_thread" not in thread_mode.extensions or not sending_thread(thread_mode).alive()
    client.get("/healthz")
    assert sending_thread(thread_mode).alive()


def test_inline_mode_never_starts_a_thread(app, client):
    client.get("/healthz")
    assert "sending_thread" not in app.extensions

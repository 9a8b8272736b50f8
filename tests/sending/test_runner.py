"""The in-process engine (a background thread with its own app context and session) and helpers."""

import random
import time
from datetime import UTC, datetime, timedelta

import pytest

from portal.constants import BatchStatus
from portal.crypto import CROCKFORD, normalize_notice_code
from portal.extensions import db
from portal.mail.sendgrid import rate_limit_reset, sendgrid_errors
from portal.models import Batch
from portal.sending.codes import generate_notice_codes
from portal.sending.retry import backoff_delay
from portal.sending.runner import sending_thread, stop_sending_thread
from portal.sending.service import dispatch_batch
from tests.factories import make_batch_with_notifications
from tests.sending.conftest import statuses


@pytest.fixture
def thread_engine(app, override_config):
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


def test_the_background_thread_sends_a_dispatched_batch(thread_engine):
    with thread_engine.app_context():
        batch = make_batch_with_notifications(1200, status=BatchStatus.APPROVED)
        dispatch_batch(batch.id)  # returns at once; the thread does the work
        wait_for_status(batch.id, BatchStatus.SENT)
        assert statuses(batch.id) == {"delivered": 1200}
        assert sending_thread(thread_engine).alive()


def test_the_thread_starts_on_the_first_request_not_at_start_up(thread_engine, client):
    assert "sending_thread" not in thread_engine.extensions or not sending_thread(thread_engine).alive()
    client.get("/healthz")
    assert sending_thread(thread_engine).alive()


def test_the_inline_engine_never_starts_a_thread(app, client):
    client.get("/healthz")
    assert "sending_thread" not in app.extensions


def test_notice_codes_are_crockford_groups_of_four_and_distinct():
    codes = generate_notice_codes(5000)
    assert len({normalized for _, normalized in codes}) == 5000
    for printed, normalized in codes:
        assert len(printed) == 14 and printed[4] == printed[9] == "-"
        assert normalize_notice_code(printed) == normalized and set(normalized) <= set(CROCKFORD)


def test_chunk_hashing_matches_the_one_code_hash(app_ctx):
    from portal.crypto import crypto
    from portal.sending.codes import notice_code_hashes

    normalized = [n for _, n in generate_notice_codes(20)]
    assert notice_code_hashes(normalized) == [crypto().notice_code_hash(n) for n in normalized]


def test_backoff_grows_exponentially_with_jitter_and_a_cap():
    rng = random.Random(7)
    for attempts, ceiling in ((1, 30), (2, 60), (3, 120), (10, 600)):
        delays = [backoff_delay(attempts, 30, 600, rng) for _ in range(50)]
        assert all(ceiling / 2 <= d <= ceiling for d in delays)
        assert len(set(delays)) > 40  # jittered


def test_rate_limit_reset_is_read_from_the_header_and_never_in_the_past():
    now = datetime(2026, 11, 1, tzinfo=UTC)
    reset = int((now + timedelta(seconds=42)).timestamp())
    assert rate_limit_reset({"X-RateLimit-Reset": str(reset)}, now) == now + timedelta(seconds=42)
    assert rate_limit_reset({"X-RateLimit-Reset": "1"}, now) == now + timedelta(seconds=1)
    assert rate_limit_reset({}, now) == now + timedelta(seconds=60)


def test_sendgrid_error_bodies_become_readable_reasons():
    body = b'{"errors": [{"message": "Invalid email", "field": "personalizations.0.to.0.email", "help": null}]}'
    assert sendgrid_errors(body) == "personalizations.0.to.0.email: Invalid email"
    assert sendgrid_errors(b"<html>oops</html>") == "<html>oops</html>"
    assert sendgrid_errors(b"") == "no reason given"

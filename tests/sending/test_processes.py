"""Real processes: a sender killed mid-batch, and a real Celery worker on the real Redis.

Both share the test database and keys with the test app through the environment, as a
deployment would.
"""

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
import redis
from sqlalchemy import select

from portal.constants import BatchStatus
from portal.extensions import db
from portal.models import Batch, Notification
from portal.sending.pipeline import send_until_idle
from portal.sending.service import dispatch_batch, reap_stale_sending
from tests.conftest import SECRETS, redis_test_url
from tests.factories import make_batch_with_notifications
from tests.fakes.sendgrid_server import Reply
from tests.sending.conftest import assert_nobody_mailed_twice, statuses

REPO = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent  # .venv/bin: flask and celery live beside the python running us
# A Redis database of our own, flushed by these tests only.
CELERY_BROKER_URL = redis_test_url(5)


def process_env(app, fake, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SENDGRID_", "CELERY_", "MAIL_"))}
    env.update(SECRETS)
    env.update(
        {
            "PORTAL_ENV": "testing",
            "PORTAL_INSTANCE_PATH": app.instance_path,
            "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
            "PYTHONPATH": str(REPO),
            "MAIL_BACKEND": "sendgrid",
            "SENDGRID_API_KEY": fake.api_key,
            "SENDGRID_HOST": fake.url,
            **extra,
        }
    )
    return env


def rows_in(batch_id: int, status: str) -> set[str]:
    """The ids (as the fake saw them: strings) of the batch's notifications in ``status``."""
    db.session.rollback()
    found = db.session.scalars(
        select(Notification.id).where(Notification.batch_id == batch_id, Notification.status == status)
    )
    return {str(number) for number in found}


def wait_for(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


def stop(process: subprocess.Popen, sig=signal.SIGTERM, timeout: float = 20) -> None:
    if process.poll() is None:
        os.kill(process.pid, sig)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            os.kill(process.pid, signal.SIGKILL)
            process.wait()


def test_a_sender_killed_mid_batch_leaves_rows_for_the_reaper_and_none_is_resent(sendgrid_app, fake_sendgrid, tmp_path):
    fake_sendgrid.script(202, Reply.hang())  # the second chunk never gets an answer
    batch = make_batch_with_notifications(2500, status=BatchStatus.APPROVED)
    log = (tmp_path / "send.log").open("w")
    sender = subprocess.Popen(
        [str(VENV_BIN / "flask"), "--app", "app", "portal", "send", str(batch.id)],
        cwd=REPO,
        stdout=log,
        stderr=subprocess.STDOUT,
        env=process_env(sendgrid_app, fake_sendgrid, SENDGRID_TIMEOUT_SECONDS="60"),
    )
    try:
        wait_for(lambda: any(r.status == "hang" for r in fake_sendgrid.requests), 60, "the second chunk to be posted")
        # The first answer is recorded by the sender's own thread while the second chunk is on the
        # wire, so wait for it too: a kill before it lands is the reaper's case for both chunks.
        first_size = len(fake_sendgrid.requests[0].notification_ids)

        def first_recorded() -> bool:
            db.session.rollback()  # a fresh snapshot each look: SQLite keeps the old one otherwise
            return statuses(batch.id).get("accepted") == first_size

        wait_for(first_recorded, 30, "the first answer to be recorded")
        os.kill(sender.pid, signal.SIGKILL)  # the worker dies between "sending" and SendGrid's answer
        sender.wait(10)
    finally:
        stop(sender)
        log.close()
    # Exactly the chunk in flight is "posting" (it may have reached SendGrid); chunks claimed with
    # it or after it but never marked are "sending": certainly not sent.
    first, hung = fake_sendgrid.requests[0], fake_sendgrid.requests[1]
    left = statuses(batch.id)
    assert left["accepted"] == len(first.notification_ids)
    assert left["posting"] == len(hung.notification_ids)
    assert rows_in(batch.id, "posting") == set(hung.notification_ids)
    unposted = left.get("sending", 0)
    assert left.get("queued", 0) == 2500 - left["accepted"] - left["posting"] - unposted

    assert reap_stale_sending(timedelta(minutes=10)) == 0  # too recent: maybe still in flight
    assert reap_stale_sending(timedelta(0)) == len(hung.notification_ids)  # only what may have been sent
    after_reap = statuses(batch.id)
    assert after_reap["unknown"] == len(hung.notification_ids) and "sending" not in after_reap
    assert rows_in(batch.id, "unknown") == set(hung.notification_ids)

    send_until_idle()  # another sender picks up what is left (the never-posted rows included), and only that
    stuck = len(hung.notification_ids)
    assert statuses(batch.id) == {"accepted": 2500 - stuck, "unknown": stuck}
    resent = fake_sendgrid.requests[2:]
    assert all(r.status == 202 for r in resent)
    assert sum(len(r.notification_ids) for r in resent) == 2500 - len(first.notification_ids) - stuck
    assert_nobody_mailed_twice(fake_sendgrid)
    db.session.expire_all()
    assert db.session.get(Batch, batch.id).status == BatchStatus.SENT  # the unknown rows wait for an admin
    unknown = db.session.scalars(select(Notification).where(Notification.status == "unknown")).all()
    assert all("may have been sent" in n.last_error for n in unknown)


def test_the_reap_command(runner, sendgrid_app):
    result = runner.invoke(args=["portal", "reap"])
    assert result.exit_code == 0 and "Nothing stuck" in result.output


def test_the_send_command_refuses_an_unknown_or_unapproved_batch(runner, app_ctx):
    result = runner.invoke(args=["portal", "send", "424242"])
    assert result.exit_code != 0 and "There is no batch 424242" in result.output
    draft = make_batch_with_notifications(1, status=BatchStatus.DRAFT)
    result = runner.invoke(args=["portal", "send", str(draft.id)])
    assert result.exit_code != 0 and "only an approved batch can be sent" in result.output


def test_the_send_command_sends_and_prints_progress(runner, sendgrid_app, fake_sendgrid):
    batch = make_batch_with_notifications(1500, status=BatchStatus.APPROVED)
    result = runner.invoke(args=["portal", "send", str(batch.id)])
    assert result.exit_code == 0, result.output
    assert f"batch {batch.id} [sent]: 1500/1500 done (1500 accepted)" in result.output
    assert statuses(batch.id) == {"accepted": 1500}


@pytest.fixture
def redis_db():
    client = redis.Redis.from_url(CELERY_BROKER_URL)
    client.ping()  # a real Redis is part of the test environment; no skipping
    client.flushdb()
    yield client
    client.flushdb()


def test_a_real_celery_worker_sends_the_batch(sendgrid_app, fake_sendgrid, override_config, redis_db, tmp_path):
    override_config(CELERY_BROKER_URL=CELERY_BROKER_URL)
    batch = make_batch_with_notifications(2500, status=BatchStatus.APPROVED, languages=("en", "fr"))
    log = tmp_path / "worker.log"
    worker = subprocess.Popen(
        [
            str(VENV_BIN / "celery"),
            "-A",
            "portal.background.celery_app",
            "worker",
            "--concurrency=2",
            "--pool=prefork",
            "--loglevel=INFO",
            f"--logfile={log}",
            "--hostname=test-sending@%h",
            "--without-mingle",
            "--without-gossip",
        ],
        cwd=REPO,
        env=process_env(sendgrid_app, fake_sendgrid, CELERY_BROKER_URL=CELERY_BROKER_URL),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    try:
        dispatch_batch(batch.id)  # enqueues send tasks on Redis; the worker does the rest
        wait_for(
            lambda: statuses(batch.id) == {"accepted": 2500},
            90,
            f"the worker to send everything (log: {log.read_text() if log.exists() else 'none'})",
        )
    finally:
        stop(worker)
    assert worker.returncode is not None
    assert fake_sendgrid.ids_answered(202).total() == 2500
    assert all(r.personalizations <= 1000 for r in fake_sendgrid.requests)
    assert_nobody_mailed_twice(fake_sendgrid)
    db.session.expire_all()
    assert db.session.get(Batch, batch.id).status == BatchStatus.SENT

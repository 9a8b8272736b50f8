"""Faults on the scale path: PostgreSQL, two real Celery worker processes, a fake SendGrid that
changes its answers while the batch is sending, a worker killed or frozen.

After each, once the batch settles: every notification is in exactly one final state, nothing is
left queued, sending or posting, the fake got each id at most once (unless an admin chose to
resend it), and ``unknown`` is exactly the ids of requests the fake may have taken (read and
never answered), never those it answered 429/500/400 or never saw.
"""

import os
import signal
import subprocess
import time
from datetime import timedelta
from pathlib import Path

import pytest
import redis
from sqlalchemy import select, text

from portal.background.dispatch import enqueue_send_tasks
from portal.constants import BatchStatus
from portal.extensions import db
from portal.models import Batch, Notification
from portal.sending.service import dispatch_batch, reap_stale_sending, resolve_unknown
from tests.conftest import ON_POSTGRES, redis_test_url
from tests.factories import make_batch_with_notifications
from tests.fakes.sendgrid_server import Reply
from tests.sending.conftest import statuses
from tests.sending.test_processes import REPO, VENV_BIN, process_env, stop, wait_for

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(not ON_POSTGRES, reason="several workers sending at once is PostgreSQL's job"),
]

BROKER = redis_test_url(13)
CHUNK = 100
# Small and quick: chunks of 100, retries within a second, a one-second client timeout.
WORKER_SETTINGS = {
    "CELERY_BROKER_URL": BROKER,
    "SEND_CHUNK_SIZE": str(CHUNK),
    "SEND_CLAIM_CHUNKS": "3",
    "SEND_BACKOFF_SECONDS": "0.3",
    "SEND_BACKOFF_MAX_SECONDS": "1",
    "SENDGRID_TIMEOUT_SECONDS": "1",
    "CELERY_SEND_PARALLELISM": "4",
}
FINAL = {"accepted", "failed", "unknown"}


@pytest.fixture
def broker(override_config, sendgrid_app):
    client = redis.Redis.from_url(BROKER)
    client.ping()
    client.flushdb()
    override_config(CELERY_BROKER_URL=BROKER, SEND_CHUNK_SIZE=CHUNK, CELERY_SEND_PARALLELISM=4)
    yield client
    client.flushdb()


class Workers:
    """Celery worker processes (one pool child each), started and stopped by this test only."""

    def __init__(self, app, fake, tmp_path, **settings):
        self.app, self.fake, self.tmp_path = app, fake, tmp_path
        self.settings = {**WORKER_SETTINGS, **settings}
        self.processes: list[subprocess.Popen] = []

    def start(self, name: str) -> subprocess.Popen:
        log = self.tmp_path / f"{name}.log"
        process = subprocess.Popen(
            [
                str(VENV_BIN / "celery"),
                "-A",
                "portal.background.celery_app",
                "worker",
                "--concurrency=1",
                "--pool=prefork",
                "--loglevel=INFO",
                f"--logfile={log}",
                f"--hostname={name}@%h",
                "--without-mingle",
                "--without-gossip",
            ],
            cwd=REPO,
            env=process_env(self.app, self.fake, **self.settings),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
        )
        self.processes.append(process)
        return process

    def logs(self) -> str:
        return "\n".join(p.read_text()[-3000:] for p in self.tmp_path.glob("*.log"))

    def stop_all(self) -> None:
        for process in self.processes:
            for child in children(process.pid):
                os.kill(child, signal.SIGCONT)  # a frozen child cannot die of TERM
            stop(process)


def children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(part) for part in text.split()]


def talking_to(port: int, pids: list[int]) -> int | None:
    """Which of ``pids`` holds an open TCP connection to 127.0.0.1:``port`` (the fake SendGrid)."""
    inodes = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if int(fields[2].split(":")[1], 16) == port:
            inodes.add(fields[9])
    for pid in pids:
        for fd in Path(f"/proc/{pid}/fd").glob("*"):
            try:
                target = os.readlink(fd)
            except OSError:
                continue
            if target.startswith("socket:[") and target[8:-1] in inodes:
                return pid
    return None


def pending(batch_id: int) -> int:
    left = statuses(batch_id)
    return sum(left.get(s, 0) for s in ("queued", "sending", "posting"))


def ids_in(batch_id: int, status: str) -> set[str]:
    db.session.rollback()
    query = select(Notification.id).where(Notification.batch_id == batch_id, Notification.status == status)
    return {str(n) for n in db.session.scalars(query)}


def settle(batch_id: int, workers: Workers, timeout: float = 60, reap_after: float | None = None) -> None:
    """Until nothing is pending; with ``reap_after`` the test plays beat: reaps claims older than
    that (a live worker settles a chunk well within it) and wakes the workers for what came back."""
    deadline = time.monotonic() + timeout
    while pending(batch_id):
        assert time.monotonic() < deadline, f"still pending: {statuses(batch_id)}\n{workers.logs()}"
        if reap_after is not None:
            reap_stale_sending(timedelta(seconds=reap_after))
            if statuses(batch_id).get("queued"):
                enqueue_send_tasks(workers.app)
        time.sleep(0.5)


def assert_settled_truthfully(batch_id: int, fake, resent: set[str] = frozenset()) -> None:
    left = statuses(batch_id)
    assert set(left) <= FINAL, left
    mailed = fake.possibly_mailed()
    twice = {nid for nid, times in mailed.items() if times > 1}
    assert twice <= resent, f"mailed more than once without an admin's choice: {sorted(twice - resent)[:10]}"
    unanswered = set(fake.ids_answered("hang", "closed", "unread"))
    answered_202 = set(fake.ids_answered(202))
    unknown = ids_in(batch_id, "unknown")
    # Every id of a request the fake never answered is unknown (unless a later 202 settled it):
    # read and dropped, or reset before its body was read, which the client cannot tell apart.
    # Unknown holds nothing else: no 401, 429, 500 or 400, nothing the fake never saw. A 202 can
    # be unknown only if the sender died before recording it (then it is lost to us too).
    assert unanswered - answered_202 <= unknown <= set(fake.may_have_received())
    assert ids_in(batch_id, "failed") == set(fake.ids_answered(400))
    assert ids_in(batch_id, "accepted") == answered_202 - unknown
    db.session.expire_all()
    assert db.session.get(Batch, batch_id).status == BatchStatus.SENT


def test_every_answer_sendgrid_can_give_while_two_workers_send(sendgrid_app, fake_sendgrid, broker, tmp_path):
    fake_sendgrid.script(
        202,
        Reply.rate_limited(reset_in=1),
        500,
        500,
        500,
        Reply.hang(),  # past the client's one-second timeout
        Reply.close(),  # read, then the connection closed without an answer
        Reply.error(400, "The from email does not contain a valid address.", "from.email"),
        Reply.slow(0.3),
        Reply.rate_limited(reset_in=1),
    )
    batch = make_batch_with_notifications(2000, status=BatchStatus.APPROVED)
    workers = Workers(sendgrid_app, fake_sendgrid, tmp_path)
    try:
        workers.start("one")
        workers.start("two")
        dispatch_batch(batch.id)
        settle(batch.id, workers)
    finally:
        workers.stop_all()
    assert_settled_truthfully(batch.id, fake_sendgrid)
    assert len(ids_in(batch.id, "unknown")) == 2 * CHUNK and len(ids_in(batch.id, "failed")) == CHUNK


@pytest.mark.parametrize("target", ["child", "parent"])
def test_a_worker_killed_mid_request_leaves_only_that_chunk_unknown(
    sendgrid_app, fake_sendgrid, broker, tmp_path, target
):
    fake_sendgrid.script(202, 202, Reply.hang())
    batch = make_batch_with_notifications(1500, status=BatchStatus.APPROVED)
    workers = Workers(sendgrid_app, fake_sendgrid, tmp_path, SENDGRID_TIMEOUT_SECONDS="30")
    try:
        first, second = workers.start("one"), workers.start("two")
        dispatch_batch(batch.id)
        wait_for(lambda: any(r.status == "hang" for r in fake_sendgrid.requests), 60, "the hanging request")
        hung = next(r for r in fake_sendgrid.requests if r.status == "hang")
        wait_for(lambda: ids_in(batch.id, "posting") >= set(hung.notification_ids), 10, "its posting mark")
        # The pool child whose connection waits on the fake posted it. Killed alone, its parent
        # starts a new one; with its parent, the child dies too (pdeathsig) and that worker is gone.
        poster = talking_to(int(fake_sendgrid.url.rsplit(":", 1)[1]), children(first.pid) + children(second.pid))
        assert poster is not None
        parent = first if poster in children(first.pid) else second
        os.kill(poster if target == "child" else parent.pid, signal.SIGKILL)
        settle(batch.id, workers, timeout=90, reap_after=3)
    finally:
        workers.stop_all()
    assert_settled_truthfully(batch.id, fake_sendgrid)
    # The dead child's unknown rows: the chunk it had on the wire, and at most the rest of its
    # group whose 202s had come in but were not recorded yet. Its claimed, never-posted chunks
    # went back to the queue and were sent once.
    unknown = ids_in(batch.id, "unknown")
    assert set(hung.notification_ids) <= unknown and len(unknown) <= 3 * CHUNK


def test_a_frozen_worker_woken_after_a_reap_and_a_resend_posts_nothing_old(
    sendgrid_app, fake_sendgrid, broker, tmp_path
):
    """Fault 4: before, the woken worker posted its five old chunks: 5,000 people mailed twice."""
    fake_sendgrid.script(Reply.slow(2.0))
    batch = make_batch_with_notifications(1200, status=BatchStatus.APPROVED)
    # A worker frozen inside a transaction (claiming its next group) loses it after two seconds.
    workers = Workers(
        sendgrid_app, fake_sendgrid, tmp_path, SENDGRID_TIMEOUT_SECONDS="10", DB_TRANSACTION_IDLE_SECONDS="2"
    )
    try:
        frozen = workers.start("frozen")
        dispatch_batch(batch.id)
        wait_for(lambda: len(fake_sendgrid.requests) == 1, 60, "the first request")
        in_flight = set(fake_sendgrid.requests[0].notification_ids)
        child = children(frozen.pid)[0]
        os.kill(child, signal.SIGSTOP)
        claimed = ids_in(batch.id, "sending")
        # the rest of its group (and perhaps the next group): claimed, never marked
        assert len(claimed) >= 2 * CHUNK and len(claimed) % CHUNK == 0

        assert reap_stale_sending(timedelta(0)) == CHUNK  # only the chunk in flight may have been sent
        assert ids_in(batch.id, "unknown") == in_flight and not ids_in(batch.id, "sending")
        resolve_unknown(batch.id, None, "resend")  # the admin resends them
        workers.start("awake")
        enqueue_send_tasks(sendgrid_app)
        wait_for(lambda: statuses(batch.id) == {"accepted": 1200}, 60, "the other worker to send everything")
        before = len(fake_sendgrid.requests)

        os.kill(child, signal.SIGCONT)
        time.sleep(4)  # its answer arrives; it would post its two old chunks now
        assert len(fake_sendgrid.requests) == before, "the woken worker posted an old chunk"
    finally:
        workers.stop_all()
    assert statuses(batch.id) == {"accepted": 1200}
    assert_settled_truthfully(batch.id, fake_sendgrid, resent=in_flight)


def test_the_send_command_outlives_its_connections_being_terminated(sendgrid_app, fake_sendgrid, tmp_path):
    """Fault 3: pg_terminate_backend on the sender's connections abandoned its group (all unknown)
    and crashed the watcher. Now each transaction runs again on a new connection and it goes on."""
    fake_sendgrid.script(*[Reply.slow(0.4)] * 30)
    batch = make_batch_with_notifications(2000, status=BatchStatus.APPROVED)
    log = (tmp_path / "send.log").open("w")
    sender = subprocess.Popen(
        [str(VENV_BIN / "flask"), "--app", "app", "portal", "send", str(batch.id)],
        cwd=REPO,
        stdout=log,
        stderr=subprocess.STDOUT,
        env=process_env(sendgrid_app, fake_sendgrid, SEND_CHUNK_SIZE=str(CHUNK), SEND_CLAIM_CHUNKS="3"),
    )
    terminations = 0
    try:
        deadline = time.monotonic() + 90
        while sender.poll() is None:
            assert time.monotonic() < deadline, "the sender never finished"
            if len(fake_sendgrid.requests) >= 2 + 4 * terminations and terminations < 3:
                terminations += (
                    db.session.execute(
                        text(
                            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                            "WHERE datname = current_database() AND pid <> pg_backend_pid() "
                            "AND application_name <> 'pytest-keep'"
                        )
                    ).scalar()
                    and 1
                )
                db.session.commit()
            time.sleep(0.2)
    finally:
        stop(sender)
        log.close()
    output = (tmp_path / "send.log").read_text()
    assert sender.returncode == 0, output[-3000:]
    assert terminations >= 2
    left = statuses(batch.id)
    assert set(left) <= FINAL, left
    # Connections die between statements: an answer can be lost only with the sender, which lived.
    assert "unknown" not in left, (left, output[-2000:])
    assert all(times == 1 for times in fake_sendgrid.possibly_mailed().values())


def test_a_refused_key_stops_the_batch_and_a_connection_reset_before_the_body_is_read_is_unknown(
    sendgrid_app, fake_sendgrid, broker, tmp_path
):
    """The modes the first test lacks: 401 (the key refused: the batch stops, nothing of it is
    unknown, an admin restarts it) and a connection closed before the body was read."""
    fake_sendgrid.script(
        202, Reply.close_unread(), 202, Reply.error(401, "The provided authorization grant is invalid")
    )
    batch = make_batch_with_notifications(1200, status=BatchStatus.APPROVED)
    workers = Workers(sendgrid_app, fake_sendgrid, tmp_path)
    try:
        workers.start("one")
        workers.start("two")
        dispatch_batch(batch.id)
        wait_for(lambda: batch_status(batch.id) == BatchStatus.STOPPED, 60, "the 401 to stop the batch")
        wait_for(lambda: not statuses(batch.id).get("sending") and not statuses(batch.id).get("posting"), 30, "settled")
        refused = set(fake_sendgrid.ids_answered(401))
        assert refused and not refused & ids_in(batch.id, "unknown")  # never mailed: back in the queue
        assert refused <= ids_in(batch.id, "queued")
        requests_when_stopped = len(fake_sendgrid.requests)
        time.sleep(1.5)
        assert len(fake_sendgrid.requests) == requests_when_stopped, "a worker kept posting for a stopped batch"

        dispatch_batch(batch.id)  # the admin fixed the key and restarts it
        settle(batch.id, workers)
    finally:
        workers.stop_all()
    assert_settled_truthfully(batch.id, fake_sendgrid)
    reset = set(fake_sendgrid.ids_answered("unread"))
    assert len(reset) == CHUNK and ids_in(batch.id, "unknown") == reset


def test_two_workers_outlive_their_database_connections_being_terminated(sendgrid_app, fake_sendgrid, broker, tmp_path):
    """Fault 3 on the scale path: pg_terminate_backend on the Celery workers' connections, three
    times while they send. Each transaction runs again on a new connection; a task that still
    fails leaves its rows to the reaper, which never makes a row unknown unless it was posted."""
    fake_sendgrid.script(*[Reply.slow(0.3)] * 40)
    batch = make_batch_with_notifications(2000, status=BatchStatus.APPROVED)
    workers = Workers(sendgrid_app, fake_sendgrid, tmp_path)
    terminated = []
    try:
        workers.start("one")
        workers.start("two")
        dispatch_batch(batch.id)
        deadline = time.monotonic() + 90
        while len(terminated) < 3:
            assert time.monotonic() < deadline, f"never sent enough to terminate: {statuses(batch.id)}"
            if len(fake_sendgrid.requests) >= 2 + 4 * len(terminated):
                terminated.append(terminate_other_connections())
            time.sleep(0.1)
        settle(batch.id, workers, timeout=90, reap_after=5)
    finally:
        workers.stop_all()
    assert sum(terminated) >= 3, terminated  # each round killed at least one worker connection
    assert_settled_truthfully(batch.id, fake_sendgrid)
    assert all(times == 1 for times in fake_sendgrid.possibly_mailed().values())


def terminate_other_connections() -> int:
    """pg_terminate_backend on every connection to the test database but this one; how many."""
    killed = db.session.execute(
        text(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
    ).scalar()
    db.session.commit()
    return killed


def batch_status(batch_id: int) -> str:
    db.session.rollback()
    return db.session.get(Batch, batch_id).status

"""With a broker configured, "I lost my code" is a Celery task: a real worker looks the address up and mails."""

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import redis

from portal.extensions import db
from portal.models import NoticeCode, OutboxMessage
from tests.conftest import SECRETS, redis_test_url
from tests.factories import make_incident, make_person

REPO = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
BROKER = redis_test_url(8)  # our own Redis database, flushed by this test only


def test_a_celery_worker_mails_the_new_code_and_the_broker_never_holds_the_address(
    app, app_ctx, client, override_config, tmp_path
):
    broker = redis.Redis.from_url(BROKER)
    broker.ping()  # a real Redis is part of the test environment; no skipping
    broker.flushdb()
    override_config(CELERY_BROKER_URL=BROKER)
    make_incident()
    make_person("C-1", email="amina@example.org")

    answer = client.post("/lost-code", data={"email": "Amina@Example.org"})
    assert answer.status_code == 302
    assert OutboxMessage.query.count() == 0, "nothing is looked up or mailed inside the request"
    queued = b"".join(broker.lrange(key, 0, -1)[0] for key in broker.keys("*") if broker.type(key) == b"list")
    assert queued and b"amina" not in queued.lower(), "the task carries the address sealed"

    log = tmp_path / "worker.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CELERY_", "MAIL_", "SENDGRID_"))}
    env.update(SECRETS)
    env.update({"PORTAL_ENV": "testing", "PORTAL_INSTANCE_PATH": app.instance_path, "PYTHONPATH": str(REPO),
                "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"], "CELERY_BROKER_URL": BROKER})  # fmt: skip
    worker = subprocess.Popen(
        [str(VENV_BIN / "celery"), "-A", "portal.background.celery_app", "worker", "--concurrency=1", "--loglevel=INFO",
         f"--logfile={log}", "--hostname=test-lost-code@%h", "--without-mingle", "--without-gossip"],
        cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while OutboxMessage.query.count() == 0:
            assert time.monotonic() < deadline, log.read_text() if log.exists() else "no worker log"
            time.sleep(0.2)
            db.session.rollback()  # a fresh transaction sees the worker's commit
    finally:
        if worker.poll() is None:
            os.kill(worker.pid, signal.SIGTERM)
            worker.wait(20)
        broker.flushdb()
    message = OutboxMessage.query.one()
    assert message.to_address == "amina@example.org"
    assert re.search(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", message.body_text)
    assert NoticeCode.query.count() == 1
    assert "amina" not in log.read_text().lower()

"""A real Celery worker on the real Redis builds an export requested on the page."""

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis

from portal.constants import ExportStatus, Role
from portal.extensions import db
from portal.models import ExportJob
from tests.conftest import SECRETS
from tests.factories import make_incident, sign_in_staff
from tests.legal.support import claimant, make_claim

REPO = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
# A Redis database of our own (the sending tests use 5), flushed by this test only.
BROKER = os.environ.get("TEST_LEGAL_CELERY_BROKER_URL", "redis://127.0.0.1:6379/7")


@pytest.fixture
def broker(app):
    client = redis.Redis.from_url(BROKER)
    client.ping()  # a real Redis is part of the test environment; no skipping
    client.flushdb()
    saved = app.config.get("CELERY_BROKER_URL")
    app.config["CELERY_BROKER_URL"] = BROKER
    yield BROKER
    app.config["CELERY_BROKER_URL"] = saved
    client.flushdb()


def test_a_celery_worker_builds_the_export_and_the_page_offers_it(app_ctx, app, client, broker, tmp_path):
    incident = make_incident()
    for number in range(30):
        make_claim(claimant(incident, f"C-{number}"), incident)
    sign_in_staff(client, Role.LEGAL)
    log = tmp_path / "worker.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CELERY_", "MAIL_", "SENDGRID_"))}
    env.update(SECRETS)
    env.update({"PORTAL_ENV": "testing", "PORTAL_INSTANCE_PATH": app.instance_path, "PYTHONPATH": str(REPO),
                "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"], "CELERY_BROKER_URL": broker})
    worker = subprocess.Popen(
        [str(VENV_BIN / "celery"), "-A", "portal.worker", "worker", "--concurrency=1", "--loglevel=INFO",
         f"--logfile={log}", "--hostname=test-legal@%h", "--without-mingle", "--without-gossip"],
        cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
    )
    try:
        response = client.post("/staff/legal/exports", data={"file_format": "xlsx"})
        job_id = int(response.location.split("/")[-1])
        deadline = time.monotonic() + 90
        while True:
            db.session.rollback()  # a fresh transaction sees the worker's commits
            status = db.session.get(ExportJob, job_id, populate_existing=True).status
            if status in (ExportStatus.READY, ExportStatus.FAILED):
                break
            assert time.monotonic() < deadline, f"the worker never built it: {log.read_text() if log.exists() else ''}"
            time.sleep(0.2)
    finally:
        if worker.poll() is None:
            os.kill(worker.pid, signal.SIGTERM)
            worker.wait(20)
    assert status == ExportStatus.READY
    body = client.get(f"/staff/legal/exports/{job_id}/download").get_data()
    manifest = client.get(f"/staff/legal/exports/{job_id}/manifest.json").get_json()
    assert manifest["rows"] == 30 and manifest["sha256"] == hashlib.sha256(body).hexdigest()

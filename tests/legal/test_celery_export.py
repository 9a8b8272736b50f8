"""A real Celery worker on the real Redis builds an export requested on the page."""

import hashlib
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis

from portal.constants import ExportStatus, Role
from portal.extensions import db
from portal.legal.export_pool import POOL_PAGE_SIZE
from portal.models import ExportJob
from tests.conftest import SECRETS, redis_test_url
from tests.factories import make_incident, sign_in_staff
from tests.legal.support import bulk_claims, claimant, make_claim
from tests.legal.test_exports import export

REPO = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
# A Redis database of our own (the sending tests use 5), flushed by this test only.
BROKER = redis_test_url(7)


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


def _wait_for(job_id: int, log: Path) -> str:
    deadline = time.monotonic() + 90
    while True:
        db.session.rollback()  # a fresh transaction sees the worker's commits
        status = db.session.get(ExportJob, job_id, populate_existing=True).status
        if status in (ExportStatus.READY, ExportStatus.FAILED):
            return status
        assert time.monotonic() < deadline, f"the worker never built it: {log.read_text() if log.exists() else ''}"
        time.sleep(0.2)


def test_a_celery_worker_builds_the_export_and_the_page_offers_it(app_ctx, app, client, broker, tmp_path):
    incident = make_incident()
    for number in range(30):
        make_claim(claimant(incident, f"C-{number}"), incident)
    bulk_claims(incident, POOL_PAGE_SIZE)  # two pages: the CSV export starts a worker process
    sign_in_staff(client, Role.LEGAL)
    log = tmp_path / "worker.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CELERY_", "MAIL_", "SENDGRID_", "EXPORT_"))}
    env.update(SECRETS)
    env.update({"PORTAL_ENV": "testing", "PORTAL_INSTANCE_PATH": app.instance_path, "PYTHONPATH": str(REPO),
                "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"], "CELERY_BROKER_URL": broker,
                # A prefork child is a daemonic process: the CSV export's worker processes must still start.
                "EXPORT_WORKERS": "2", "EXPORT_POOL_MIN_ROWS": "0"})  # fmt: skip
    worker = subprocess.Popen(
        [str(VENV_BIN / "celery"), "-A", "portal.background.celery_app", "worker", "--concurrency=1", "--loglevel=INFO",
         f"--logfile={log}", "--hostname=test-legal@%h", "--without-mingle", "--without-gossip"],
        cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        jobs = {}
        for file_format in ("xlsx", "csv"):
            response = client.post("/staff/legal/exports", data={"file_format": file_format})
            jobs[file_format] = int(response.location.split("/")[-1])
        statuses = {file_format: _wait_for(job_id, log) for file_format, job_id in jobs.items()}
    finally:
        if worker.poll() is None:
            os.kill(worker.pid, signal.SIGTERM)
            worker.wait(20)
    assert statuses == {"xlsx": ExportStatus.READY, "csv": ExportStatus.READY}
    for job_id in jobs.values():
        body = client.get(f"/staff/legal/exports/{job_id}/download").get_data()
        manifest = client.get(f"/staff/legal/exports/{job_id}/manifest.json").get_json()
        assert manifest["rows"] == 30 + POOL_PAGE_SIZE and manifest["sha256"] == hashlib.sha256(body).hexdigest()
    # The worker process started in the prefork child (and built pages, if it was ready in time).
    assert re.search(r"claimant export: 2 pages, \d of them by workers \(1 of 1 started\)", log.read_text())
    app.config["CELERY_BROKER_URL"] = ""  # the fixture puts it back
    _, single_process = export(client)  # in this process, inline: the same bytes
    assert client.get(f"/staff/legal/exports/{jobs['csv']}/download").get_data() == single_process

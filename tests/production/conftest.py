"""The portal as production runs it: ``PORTAL_ENV=production`` under gunicorn, several workers
serving TLS themselves (the suite's throw-away certificate), the pass's PostgreSQL database,
Redis for rate limits and sessions, and the fake SendGrid. docs/deployment.md describes the same
set-up; these tests are what keeps it true.

The server shares the database and keys with the test process, as a second web host would, so a
test writes its data with the factories and then drives the server over HTTPS. These tests run in
the PostgreSQL pass only (``postgres_only``): gunicorn's workers and the test's own connections
write at once, which is PostgreSQL's job in production, and they check nothing SQLite-specific.
"""

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import redis

from tests.browser.conftest import browser_type_launch_args  # noqa: F401  (the same Chromium, trusting our certificate)
from tests.conftest import ON_POSTGRES, SECRETS, redis_test_url
from tests.production.https import Visitor

REPO = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
# One Redis database per purpose, flushed by these tests only.
LIMITS_REDIS = redis_test_url(10)
SESSIONS_REDIS = redis_test_url(11)
BROKER_REDIS = redis_test_url(12)
WORKERS = 2
THREADS = 4
START_TIMEOUT = 60

# The marks every test of this package carries: PostgreSQL pass only, never skipped there.
needs_postgres = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(not ON_POSTGRES, reason="production mode runs on PostgreSQL; the PostgreSQL pass runs it"),
]


def production_env(database_url: str, instance: Path, fake_sendgrid, **extra: str) -> dict[str, str]:
    """The environment of every production process here: the web workers and the Celery worker."""
    inherited = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR")
    env = {name: os.environ[name] for name in inherited if name in os.environ}
    env.update(SECRETS)
    env.update(
        {
            "PORTAL_ENV": "production",
            "PORTAL_INSTANCE_PATH": str(instance),
            "DATABASE_URL": database_url,
            "PYTHONPATH": str(REPO),
            "RATELIMIT_STORAGE_URI": LIMITS_REDIS,
            "SESSION_STORAGE_URI": SESSIONS_REDIS,
            "CELERY_BROKER_URL": BROKER_REDIS,
            "MAIL_BACKEND": "sendgrid",
            "SENDGRID_API_KEY": fake_sendgrid.api_key,
            "SENDGRID_HOST": fake_sendgrid.url,
            "UPLOAD_FOLDER": str(instance / "uploads"),
            **extra,
        }
    )
    return env


def stop(process: subprocess.Popen, timeout: float = 20) -> None:
    """TERM, then KILL if it has not gone: only ever the process this test started, by its id."""
    if process.poll() is None:
        os.kill(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            os.kill(process.pid, signal.SIGKILL)
            process.wait()


@dataclass
class ProductionServer:
    url: str
    certificate: Path  # what a client verifying the server trusts
    log: Path
    env: dict[str, str]

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


def _wait_until_serving(server: ProductionServer, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"gunicorn exited with {process.returncode}:\n{server.log_text()}")
        try:
            if Visitor(server.url, server.certificate).get("/healthz").status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    pytest.fail(f"gunicorn did not answer within {START_TIMEOUT}s:\n{server.log_text()}")


def _flush(url: str) -> None:
    client = redis.Redis.from_url(url)
    client.ping()  # a real Redis is part of the test environment; no skipping
    client.flushdb()
    client.close()


@pytest.fixture(scope="session")
def production_server(app, fake_sendgrid_server, tls_certificate, tmp_path_factory) -> Iterator[ProductionServer]:
    """gunicorn, several workers, TLS on a port of its own; the socket is bound here and handed over."""
    directory = tmp_path_factory.mktemp("production")
    cert, key = tls_certificate
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(128)
    url = f"https://127.0.0.1:{listener.getsockname()[1]}"
    env = production_env(app.config["SQLALCHEMY_DATABASE_URI"], directory, fake_sendgrid_server, PUBLIC_URL=url)
    for redis_url in (LIMITS_REDIS, SESSIONS_REDIS):
        _flush(redis_url)
    server = ProductionServer(url, cert, directory / "gunicorn.log", env)
    command = [
        str(VENV_BIN / "gunicorn"),
        "--workers",
        str(WORKERS),
        "--threads",
        str(THREADS),
        "--bind",
        f"fd://{listener.fileno()}",
        "--certfile",
        str(cert),
        "--keyfile",
        str(key),
        "--error-logfile",
        str(server.log),
        "--graceful-timeout",
        "5",
        "--timeout",
        "60",
        "app:app",
    ]
    process = subprocess.Popen(
        command, cwd=REPO, env=env, pass_fds=[listener.fileno()], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT
    )
    listener.close()  # gunicorn holds its own copy
    try:
        _wait_until_serving(server, process)
        yield server
    finally:
        stop(process)


@pytest.fixture
def fresh_limits() -> None:
    """Every test starts with no attempts counted and no sessions (the autouse fixture empties the tables)."""
    for redis_url in (LIMITS_REDIS, SESSIONS_REDIS):
        _flush(redis_url)

"""``make demo PORT=…`` and ``make clean-demo``, run the way a newcomer runs them.

The demo is the embedded mode (SQLite, no services), so this runs in the SQLite pass only: in the
PostgreSQL pass it would prove nothing new (it is deliberately not collected there, not skipped).
"""

import os
import signal
import socket
import sqlite3
import subprocess
import time
import urllib.request
from pathlib import Path

from tests.conftest import ON_POSTGRES

ROOT = Path(__file__).resolve().parents[3]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def demo_env(instance: Path) -> dict:
    """A newcomer's shell: no test database, no make flags from the outer `make test`."""
    dropped = ("DATABASE_URL", "PORTAL_ENV", "PUBLIC_URL", "MAKEFLAGS", "MFLAGS", "MAKELEVEL")
    env = {key: value for key, value in os.environ.items() if key not in dropped}
    env["PORTAL_INSTANCE_PATH"] = str(instance)
    return env


def wait_until_serving(url: str, process: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, "make demo exited before serving"
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise AssertionError(f"make demo did not serve {url} within {timeout}s")


if not ON_POSTGRES:

    def test_make_demo_serves_on_the_chosen_port_with_links_on_it_and_clean_demo_removes_it(tmp_path):
        instance, port = tmp_path / "instance", free_port()
        log = (tmp_path / "demo.log").open("w")
        demo = subprocess.Popen(
            ["make", "--no-print-directory", "demo", f"PORT={port}"],
            cwd=ROOT,
            env=demo_env(instance),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # make and the server it starts, stopped together below
        )
        try:
            wait_until_serving(f"http://127.0.0.1:{port}/check", demo, timeout=180)
        finally:
            os.killpg(demo.pid, signal.SIGTERM)
            demo.wait(30)
            log.close()
        output = (tmp_path / "demo.log").read_text()
        assert f"Contractors: http://127.0.0.1:{port}/check" in output
        assert f"http://127.0.0.1:{port}/check" in (instance / "demo-credentials.txt").read_text()
        with sqlite3.connect(instance / "portal.sqlite3") as database:
            bodies = [row[0] for row in database.execute("SELECT body_text FROM outbox_message WHERE kind = 'notice'")]
        assert bodies and all(f"http://127.0.0.1:{port}/check" in body for body in bodies)  # not :5000

        cleaned = subprocess.run(
            ["make", "--no-print-directory", "clean-demo"], cwd=ROOT, env=demo_env(instance), check=False
        )
        assert cleaned.returncode == 0
        left = sorted(path.name for path in instance.iterdir())
        assert left == ["secrets.json"], left  # the keys stay; every piece of demo data is gone

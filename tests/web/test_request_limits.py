"""Every route caps its request body before reading it; an oversize body costs a worker nothing.

The last test runs a real gunicorn worker and watches its peak memory (VmHWM) while 100 MB bodies
are sent to the sign-in form and to SendGrid's webhook without being signed in: the worker used to
read each whole body into memory (121 MB → 531 MB for a 200 MB post).
"""

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import SECRETS

MB = 1024 * 1024


def test_a_form_post_over_the_form_cap_is_refused_before_it_is_read(client, app):
    body = b"notice_code=" + b"A" * (app.config["MAX_FORM_BYTES"] + 1)
    response = client.post("/check", data=body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "What you sent is too large" in page and "at most 64 KB" in page and "nothing you sent was saved" in page


def test_the_webhook_refuses_a_body_over_its_cap_before_checking_any_signature(client, app):
    body = b"[" + b" " * app.config["MAX_WEBHOOK_BYTES"] + b"]"
    assert client.post("/webhooks/sendgrid", data=body, content_type="application/json").status_code == 413
    # Under the cap the body is read and the (missing) signature is what refuses it.
    assert client.post("/webhooks/sendgrid", data=b"[]", content_type="application/json").status_code == 401


# -- a real worker -------------------------------------------------------------------------------------


def _status(pid: int, field: str) -> int:
    """A memory figure of the process from /proc, in bytes (VmRSS, or VmHWM: the peak so far)."""
    text = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(rf"^{field}:\s+(\d+) kB", text, re.M).group(1)) * 1024


@pytest.fixture
def gunicorn_worker(app, tmp_path):
    """(port, worker pid) of a one-worker gunicorn serving the portal on the test database."""
    env = {
        **os.environ,
        **SECRETS,
        "PORTAL_ENV": "testing",
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "PORTAL_INSTANCE_PATH": str(tmp_path),
    }
    log = tmp_path / "gunicorn.log"
    gunicorn = Path(sys.executable).with_name("gunicorn")
    process = subprocess.Popen(
        [str(gunicorn), "-w", "1", "-b", "127.0.0.1:0", "--error-logfile", str(log), "app:app"],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        port = worker = None
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not (port and worker):
            time.sleep(0.1)
            found = re.search(r"Listening at: http://127\.0\.0\.1:(\d+)", log.read_text() if log.exists() else "")
            port = int(found.group(1)) if found else None
            children = Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text().split()
            worker = int(children[0]) if children else None
        assert port and worker, log.read_text() if log.exists() else "gunicorn did not start"
        yield port, worker
    finally:
        process.terminate()
        process.wait(timeout=30)


def _post_raw(port: int, path: str, content_type: str, size: int, send: int) -> bytes:
    """Declare ``size`` bytes, send ``send`` of them, and return whatever the server answers (b"" if none)."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        head = (
            f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: {content_type}\r\n"
            f"Content-Length: {size}\r\nConnection: close\r\n\r\n"
        )
        sock.sendall(head.encode())
        chunk = b"a" * MB
        try:
            for start in range(0, send, MB):
                sock.sendall(chunk[: min(MB, send - start)])
            return sock.recv(200)
        except (BrokenPipeError, ConnectionResetError, TimeoutError):
            return b""  # refused and closed while we were still sending: what an early 413 looks like


@pytest.mark.parametrize(
    ("path", "content_type"),
    [("/check", "application/x-www-form-urlencoded"), ("/webhooks/sendgrid", "application/json")],
)
def test_an_oversize_body_is_answered_at_once_and_the_workers_memory_does_not_grow(gunicorn_worker, path, content_type):
    port, worker = gunicorn_worker
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:  # warm the worker up
        sock.sendall(b"GET /check HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        assert sock.recv(12).startswith(b"HTTP/1.1 200")
    baseline = _status(worker, "VmRSS")

    # 100 MB declared, 64 KB sent: the answer comes without waiting for the rest.
    assert _post_raw(port, path, content_type, 100 * MB, 64 * 1024).startswith(b"HTTP/1.1 413")
    for _ in range(2):  # then whole 100 MB bodies, twice
        _post_raw(port, path, content_type, 100 * MB, 100 * MB)

    assert _status(worker, "VmHWM") - baseline < 20 * MB

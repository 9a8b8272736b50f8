"""Our real payloads against SendGrid's own OpenAPI spec, served by Prism (TOOLING.md).

The spec is ``shared/sendgrid/tsg_mail_v3.yaml`` beside the repository (CI clones it there). A
missing spec or Prism is a failure, not a skip: this is the only check that our payloads are
what the real API accepts.
"""

import socket
import subprocess
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.mail import Message, mail_backend
from portal.mail.notices import MAX_PERSONALIZATIONS, NoticeRequest, Outcome, Recipient
from portal.mail.rendering import notice_skeleton, starter_body
from portal.mail.sendgrid import SendGridBackend
from portal.models import Notification
from portal.sending.pipeline import send_until_idle
from tests.factories import make_batch_with_notifications
from tests.sending.conftest import SENDGRID_SETTINGS, statuses

REPO = Path(__file__).resolve().parents[2]
SPEC = REPO.parent / "shared" / "sendgrid" / "tsg_mail_v3.yaml"
PRISM = REPO / "node_modules" / ".bin" / "prism"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def prism(tmp_path_factory):
    assert SPEC.is_file(), f"SendGrid's spec is missing: expected {SPEC}"
    assert PRISM.exists(), "Prism is not installed: run `npm install` (package.json pins @stoplight/prism-cli)"
    port = _free_port()
    log = (tmp_path_factory.mktemp("prism") / "prism.log").open("w")
    process = subprocess.Popen(
        [str(PRISM), "mock", "-h", "127.0.0.1", "-p", str(port), str(SPEC)], stdout=log, stderr=subprocess.STDOUT
    )
    deadline = time.monotonic() + 90
    try:
        while True:
            assert process.poll() is None, "Prism exited at start-up; see its log"
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "Prism did not start listening within 90 s"
                time.sleep(0.25)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


@pytest.fixture
def prism_app(app, prism, override_config):
    override_config(
        **{
            **SENDGRID_SETTINGS,
            "SENDGRID_HOST": prism,
            "SENDGRID_TIMEOUT_SECONDS": 30.0,
            "MAIL_FROM_NAME": "Incident Response Team",
        }
    )
    with app.app_context():
        yield app


def test_real_batch_payloads_are_valid_by_sendgrids_spec(prism_app):
    contents = {
        "en": ("Notice of Data Breach: ((incident_title))", starter_body()),
        "pt": ("Aviso para ((first_name))", starter_body()),
    }
    batch = make_batch_with_notifications(1200, languages=("en", "pt"), contents=contents)
    send_until_idle()
    problems = set(db.session.scalars(select(Notification.last_error).where(Notification.last_error != "")))
    assert statuses(batch.id) == {"accepted": 1200}, problems


def test_a_one_off_message_payload_is_valid(prism_app):
    message = Message(
        kind="notice_code_reissue",
        to_address="someone@example.org",
        subject="Your new notice code",
        body_text="Your code is ABCD-EFGH-JKMN",
        body_html="<p>Your code is ABCD-EFGH-JKMN</p>",
    )
    assert mail_backend().send_message(message) is True


def test_1001_personalizations_are_refused_by_the_spec_and_by_us(prism_app):
    backend = mail_backend()
    skeleton = notice_skeleton(SimpleNamespace(subject="Notice", body_markdown=starter_body()), {})
    recipients = [Recipient(i, f"p{i}@example.org", "P", {"-first_name-": "P"}) for i in range(1, 1002)]
    with pytest.raises(ValueError):
        NoticeRequest(skeleton, "en", recipients)
    payload = backend.notice_payload(NoticeRequest(skeleton, "en", recipients[:MAX_PERSONALIZATIONS]))
    payload["personalizations"].append(payload["personalizations"][0])
    result = backend.post(payload)
    assert result.outcome == Outcome.REJECTED and result.status_code == 400


def test_no_api_key_is_a_401_from_the_spec(prism_app):
    backend = SendGridBackend(prism_app.config)
    backend.client.client.request_headers.pop("Authorization", None)
    result = backend.post(backend.message_payload(Message("k", "a@example.org", "s", "t")))
    assert result.outcome == Outcome.UNAUTHORIZED

"""Browser tests: pytest-playwright driving Debian's Chromium against a live server.

The live server serves the session's ``app`` (CSRF on, as everywhere in the suite) over HTTPS
with a throw-away certificate, so each form a browser submits carries and checks a real token,
and Flask-WTF's HTTPS check sees the ``Referer`` the browser really sends under the portal's
referrer policy. A test can set up data or change the app's configuration in the same process
the browser talks to.

Chromium is never skipped: a missing /usr/bin/chromium fails every browser test, because a CI run
that silently skipped them would report accessibility and the contractor flow as tested.
"""

import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

import pytest
from werkzeug.serving import make_server

from tests.certificates import spki_sha256
from tests.factories import expose, give_notice_code, make_incident, make_person

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 800}, "is_mobile": False, "has_touch": False}
# The live server's certificate is self-signed; the browser is also launched trusting it (above).
HTTPS = {"ignore_https_errors": True}
# Short enough that a broken page fails fast, long enough for a loaded 2-core CI box.
TIMEOUT_MS = 15_000


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args, tls_certificate):
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        pytest.fail(
            f"Browser tests need Debian's Chromium at {CHROMIUM}, which is missing. Install it with "
            "`apt-get install chromium` (or `make browser-deps` as root). These tests fail rather than "
            "skip so that CI never reports them as passed without a browser.",
            pytrace=False,
        )
    # Our servers' certificate counts as valid, as a real one would: a certificate error that is only
    # ignored (ignore_https_errors) still makes Chromium cancel downloads.
    trusted = f"--ignore-certificate-errors-spki-list={spki_sha256(tls_certificate[0])}"
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": [*CHROMIUM_ARGS, trusted]}


@pytest.fixture(scope="session")
def live_server(app, tls_certificate) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, app, threaded=True, ssl_context=tls_certificate)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield f"https://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def base_url(live_server) -> str:
    """pytest-playwright passes this to every context, so tests can ``page.goto("/check")``."""
    return live_server


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # bypass_csp lets axe-core be injected into pages whose CSP forbids inline script;
    # test_page_security.py checks the real CSP on a context without it.
    return {**browser_context_args, **PHONE, **HTTPS, "bypass_csp": True}


@pytest.fixture
def context(context):
    context.set_default_timeout(TIMEOUT_MS)
    return context


@pytest.fixture
def desktop_page(browser, browser_context_args):
    """A desktop-sized page for the staff area (staff work at a desk, contractors on phones)."""
    context = browser.new_context(**{**browser_context_args, **DESKTOP})
    context.set_default_timeout(TIMEOUT_MS)
    yield context.new_page()
    context.close()


@dataclass(frozen=True)
class Contractor:
    code: str
    first_name: str
    last_name: str
    date_of_birth: str
    incident_id: int


@pytest.fixture
def contractor(app) -> Contractor:
    """A person in one published incident with three exposures, registered least severe first."""
    with app.app_context():
        incident = make_incident()
        person = make_person(first_name="Amina", last_name="Okafor", date_of_birth="1990-03-27")
        expose(person, incident, "task_records", "412 task records, projects Atlas and Birch")
        expose(person, incident, "payment", "Bank account ending 4410", exposed_at=date(2026, 6, 2))
        expose(person, incident, "national_id", "KRA PIN ending 118Q")
        # Someone else in the same incident: their details must never show on Amina's page.
        other = make_person(first_name="Joao", last_name="Silva", date_of_birth="1985-11-02", country="BR")
        expose(other, incident, "video", "2 interview recordings of Joao")
        return Contractor(give_notice_code(person, incident), "Amina", "Okafor", "1990-03-27", incident.id)

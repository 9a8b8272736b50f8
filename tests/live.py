"""A real server for concurrency tests, and browser-like clients that race it.

The server is a threaded werkzeug server in this process, serving an app built from the test
configuration (same database, same keys) with CSRF **on**: each client loads the form page first
and posts the token from it with its cookies, as a browser does. Requests really run at once
(one thread each), each with its own database connection, so on PostgreSQL two transactions race
for the same row exactly as two gunicorn workers would.
"""

import html
import http.client
import re
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit

import pyotp
import pytest
from werkzeug.serving import make_server

from portal import create_app
from tests.conftest import test_config
from tests.factories import STAFF_PASSWORD, check_form

_HIDDEN_INPUT = re.compile(r"<input[^>]*type=\"hidden\"[^>]*>")
_NAME = re.compile(r"name=\"([^\"]+)\"")
_VALUE = re.compile(r"value=\"([^\"]*)\"")


@dataclass
class Answer:
    status: int
    location: str
    text: str


@dataclass
class LiveBrowser:
    """One browser tab: its own cookies, no redirects followed (the tests look at each answer)."""

    base: str
    cookies: dict = field(default_factory=dict)

    def tab(self) -> "LiveBrowser":
        """Another tab of the same browser: the same session, signed in as the same person."""
        return LiveBrowser(self.base, dict(self.cookies))

    def request(self, method: str, path: str, data: dict | None = None) -> Answer:
        parts = urlsplit(self.base)
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())} if self.cookies else {}
        body = None
        if data is not None:
            body = urlencode(data, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
            for header in response.headers.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(header).items():
                    if morsel["max-age"] == "0" or morsel.value == "":
                        self.cookies.pop(name, None)
                    else:
                        self.cookies[name] = morsel.value
            return Answer(response.status, response.headers.get("Location", ""), text)
        finally:
            connection.close()

    def get(self, path: str) -> Answer:
        return self.request("GET", path)

    def form(self, form_page: str) -> dict:
        """The hidden fields (the CSRF token among them) of ``form_page``, loaded as a person would before posting."""
        page = self.get(form_page)
        assert page.status == 200, (form_page, page.status, page.text[:500])
        hidden = {}
        for tag in _HIDDEN_INPUT.findall(page.text):
            name, value = _NAME.search(tag), _VALUE.search(tag)
            if name and value:
                hidden.setdefault(name.group(1), html.unescape(value.group(1)))
        assert "csrf_token" in hidden, f"no CSRF token on {form_page}"
        return hidden

    def submit(self, form_page: str, post_to: str | None = None, **data) -> Answer:
        """Load ``form_page``, then post ``data`` with its hidden fields to ``post_to`` (the page itself by default)."""
        return self.request("POST", post_to or form_page, {**self.form(form_page), **data})

    def sign_in_contractor(self, code: str, last_name: str, date_of_birth: str) -> None:
        answer = self.submit("/check", **check_form(code, last_name, date_of_birth))
        assert answer.status == 302 and answer.location.endswith("/my"), (answer.status, answer.text[:500])

    def sign_in_staff(self, email: str, totp_secret: str) -> None:
        answer = self.submit("/staff/sign-in", email=email, password=STAFF_PASSWORD)
        assert answer.status == 302 and answer.location.endswith("/staff/sign-in/code"), answer.status
        answer = self.submit("/staff/sign-in/code", code=pyotp.TOTP(totp_secret).now())
        assert answer.status == 302 and "/sign-in" not in answer.location, (answer.status, answer.location)


def race(tabs: list[LiveBrowser], form_page: str, post_to: str | None = None, **data) -> list[Answer]:
    """Every tab loads the form page (its own token and hidden fields), then all post at the same moment."""
    forms = [tab.form(form_page) for tab in tabs]
    start = threading.Barrier(len(tabs))

    def post(index: int) -> Answer:
        start.wait(timeout=30)
        return tabs[index].request("POST", post_to or form_page, {**forms[index], **data})

    with ThreadPoolExecutor(len(tabs)) as pool:
        return list(pool.map(post, range(len(tabs))))


def at_once(count: int, work: Callable[[int], object]) -> list:
    """Run ``work(i)`` in ``count`` threads released together; their results (or exceptions) in order."""
    start = threading.Barrier(count)

    def run(index: int):
        start.wait(timeout=30)
        try:
            return work(index)
        except Exception as exc:  # the test decides whether an exception is a failure
            return exc

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(run, range(count)))


def app_like(app, **overrides):
    """An app on the session app's database and keys, with CSRF enforced as in production, and ``overrides``."""
    config = test_config(
        app.instance_path,
        SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
        WTF_CSRF_ENABLED=True,
        **overrides,
    )
    return create_app(config)


@contextmanager
def serving(application, name: str) -> Iterator[str]:
    """A threaded server for ``application`` in this process (one thread a request), and its URL."""
    server = make_server("127.0.0.1", 0, application, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name=name, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def csrf_app(app):
    return app_like(app)


@pytest.fixture(scope="session")
def threaded_server(csrf_app):
    with serving(csrf_app, "threaded-server") as url:
        yield url


@pytest.fixture
def live_browser(threaded_server) -> LiveBrowser:
    return LiveBrowser(threaded_server)


def one_winner(answers: list[Answer], won: Callable[[Answer], bool]) -> list[Answer]:
    """Assert exactly one answer is the success and none is a server error; return the others."""
    assert all(answer.status < 500 for answer in answers), [(a.status, a.text[:300]) for a in answers]
    winners = [answer for answer in answers if won(answer)]
    assert len(winners) == 1, [(a.status, a.location) for a in answers]
    return [answer for answer in answers if not won(answer)]


def wait_for_background(name: str, seconds: float = 10) -> None:
    """Wait until no thread named ``name`` runs: background work the in-process server started
    (portal.background.dispatch names each task's thread after the task).

    A timing test waits between requests, so one request's background work, which shares the
    interpreter with the server here (with Celery it runs in another process), is never billed to
    the next request."""
    deadline = time.monotonic() + seconds
    while True:
        running = [thread for thread in threading.enumerate() if thread.name == name]
        if not running:
            return
        if time.monotonic() >= deadline:
            raise AssertionError(f"background task {name} ran for more than {seconds} s")
        for thread in running:
            thread.join(timeout=max(0.0, deadline - time.monotonic()))

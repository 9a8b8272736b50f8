"""Checking a notice code answers in the same time whether we issued it or not (medians within 5 ms).

Against a real threaded server, so the time measured is what someone timing the page would see:
routing, the limiter, both queries and the page.
"""

import statistics
import threading
import time

import pytest
from werkzeug.serving import make_server

from portal import create_app
from tests.conftest import test_config
from tests.factories import give_notice_code, make_incident, make_person
from tests.live import LiveBrowser

ROUNDS = 30


@pytest.fixture
def code_server(app):
    config = test_config(
        app.instance_path,
        SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
        WTF_CSRF_ENABLED=True,
        VERIFY_LIMIT_PER_IP="10000 per hour",
        VERIFY_LIMIT_PER_CODE="10000 per hour",
    )
    server = make_server("127.0.0.1", 0, create_app(config), threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="code-check-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


def timed_check(browser: LiveBrowser, form: dict, code: str) -> tuple[float, str]:
    started = time.perf_counter()
    answer = browser.request("POST", "/is-this-from-us/code", {**form, "notice_code": code})
    elapsed = time.perf_counter() - started
    assert answer.status == 200, (answer.status, answer.text[:300])
    return elapsed, answer.text


def test_valid_and_unknown_codes_answer_in_the_same_time(code_server, app_ctx):
    incident = make_incident()
    people = [make_person(f"C-{n}") for n in range(ROUNDS)]
    valid = [give_notice_code(person, incident) for person in people]
    browser = LiveBrowser(code_server)
    form = browser.form("/is-this-from-us")
    for _ in range(3):  # warm-up: imports, pools, templates
        timed_check(browser, form, valid[0])
        timed_check(browser, form, "ZZZZ-ZZZZ-ZZZZ")

    valid_times, unknown_times = [], []
    for n in range(ROUNDS):  # interleaved, so a slow moment of the machine hits both alike
        elapsed, text = timed_check(browser, form, valid[n])
        assert "still valid" in text
        valid_times.append(elapsed)
        elapsed, text = timed_check(browser, form, f"ZZZZ-ZZZZ-{n:04d}".replace("0", "A"))
        assert "We did not issue this code." in text
        unknown_times.append(elapsed)

    valid_median, unknown_median = statistics.median(valid_times), statistics.median(unknown_times)
    assert abs(valid_median - unknown_median) < 0.005, (valid_median, unknown_median)

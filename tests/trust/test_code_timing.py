"""Checking a notice code answers in the same time whether we issued it or not (medians within 5 ms).

Against a real threaded server, so the time measured is what someone timing the page would see:
routing, the limiter, both queries and the page.
"""

import statistics
import time

import pytest

from tests.factories import give_notice_code, make_incident, make_person
from tests.live import LiveBrowser, app_like, serving

ROUNDS = 30


@pytest.fixture
def code_server(app):
    limits = {"VERIFY_LIMIT_PER_IP": "10000 per hour", "VERIFY_LIMIT_PER_CODE": "10000 per hour"}
    with serving(app_like(app, **limits), "code-check-server") as url:
        yield url


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

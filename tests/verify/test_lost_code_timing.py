"""'I lost my code' takes the same time for a known and an unknown email, with SendGrid slow.

The lookup and the mail happen in the background (a thread here; a Celery task when a broker is
set), so an attacker timing the answer learns nothing about which addresses are on file.
"""

import statistics
import time

import pytest

from tests.factories import make_incident, make_person
from tests.fakes.fixtures import SENDGRID_SETTINGS
from tests.fakes.sendgrid_server import Reply
from tests.live import LiveBrowser, app_like, serving, wait_for_background

SENDGRID_DELAY = 0.25  # each mail takes this long to be accepted: far more than the allowed difference
PAIRS = 12
BACKGROUND_THREAD = "reissue_notice_code"  # the look-up and the mail; waited for between requests


@pytest.fixture
def slow_sendgrid_server(app, fake_sendgrid):
    """A server whose lost-code mail goes to a slow SendGrid, sent by a background thread."""
    application = app_like(
        app,
        SENDING_ENGINE="thread",
        LOST_CODE_LIMIT_PER_IP="1000 per hour",
        SENDGRID_HOST=fake_sendgrid.url,
        **SENDGRID_SETTINGS,
    )
    with serving(application, "lost-code-server") as url:
        yield url


def timed_post(base: str, email: str) -> float:
    browser = LiveBrowser(base)
    form = browser.form("/lost-code")
    started = time.perf_counter()
    answer = browser.request("POST", "/lost-code", {**form, "email": email})
    elapsed = time.perf_counter() - started
    assert answer.status == 302 and answer.location.endswith("/lost-code/sent"), (answer.status, answer.text[:300])
    wait_for_background(BACKGROUND_THREAD)
    return elapsed


def test_known_and_unknown_emails_answer_in_the_same_time_and_only_known_ones_get_mail(
    slow_sendgrid_server, fake_sendgrid, app_ctx
):
    make_incident()
    known = [f"known{n}@example.org" for n in range(PAIRS)]
    for n, email in enumerate(known):
        make_person(f"C-{n}", email=email)
    fake_sendgrid.script(*[Reply.slow(SENDGRID_DELAY)] * PAIRS)

    timed_post(slow_sendgrid_server, "warm-up@example.org")  # first request pays for imports and pools
    known_times, unknown_times = [], []
    for n in range(PAIRS):  # interleaved, so a slow moment of the machine hits both alike
        known_times.append(timed_post(slow_sendgrid_server, known[n]))
        unknown_times.append(timed_post(slow_sendgrid_server, f"stranger{n}@example.org"))

    known_median, unknown_median = statistics.median(known_times), statistics.median(unknown_times)
    assert known_median < SENDGRID_DELAY / 2, "the mail is still posted inside the request"
    assert abs(known_median - unknown_median) < 0.010, (known_median, unknown_median)

    deadline = time.monotonic() + 30
    while len(fake_sendgrid.requests) < PAIRS and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(2 * SENDGRID_DELAY)  # anything more that was coming has arrived by now
    recipients = sorted(r.payload["personalizations"][0]["to"][0]["email"] for r in fake_sendgrid.requests)
    assert recipients == sorted(known), "each known address gets one new code; unknown ones get nothing"

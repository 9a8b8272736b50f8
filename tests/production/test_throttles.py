"""Throttles on guessing hold against bursts sent at once to several gunicorn workers sharing Redis.

Each burst sends many wrong attempts from one visitor at the same moment. A throttle that tests
its limit before the request and counts the attempt after lets every request in flight through
that check; one that takes its hit first lets exactly the limit's worth be evaluated.
"""

import threading
import time

import pyotp
import pytest

from portal.constants import Role
from portal.staff.service import create_staff_user
from tests.factories import STAFF_PASSWORD, check_form, expose, give_notice_code, make_incident, make_person
from tests.production.conftest import needs_postgres
from tests.production.https import Visitor

pytestmark = needs_postgres

BURST = 40
NEUTRAL = "We could not"  # the start of both neutral failure messages (identity check, staff sign-in)


def burst(visitor: Visitor, path: str, forms: list[dict[str, str]]) -> list[int]:
    """POST every form at once from one visitor (its cookie and token); the statuses, in any order."""
    start, statuses, lock = threading.Barrier(len(forms)), [], threading.Lock()

    def attempt(form):
        start.wait()
        answer = visitor.post(path, form)
        assert answer.status == 429 or NEUTRAL in answer.body, (answer.status, answer.body[:300])
        with lock:
            statuses.append(answer.status)

    threads = [threading.Thread(target=attempt, args=(form,)) for form in forms]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(statuses) == len(forms), "some attempts got no answer"
    return statuses


@pytest.fixture
def server(production_server, fresh_limits):
    return production_server


def test_a_burst_of_wrong_dates_of_birth_on_one_code_evaluates_at_most_the_limit(server, app_ctx):
    person = make_person(last_name="Okafor", date_of_birth="1990-03-27")
    incident = make_incident()
    expose(person, incident, "payment")
    code = give_notice_code(person, incident)
    visitor = Visitor(server.url, server.certificate)
    visitor.get("/check")
    wrong = [check_form(code, "Okafor", f"1990-{1 + n // 28:02d}-{1 + n % 28:02d}") for n in range(BURST)]
    statuses = burst(visitor, "/check", wrong)
    assert statuses.count(400) == 5, statuses  # VERIFY_LIMIT_PER_CODE, 5 per 15 minutes
    assert statuses.count(429) == BURST - 5
    # The right details on that code now wait too: the guesses are used up, whoever sends the next.
    right = visitor.post("/check", check_form(code, "Okafor", "1990-03-27"))
    assert right.status == 429


def test_a_burst_of_wrong_totp_codes_for_one_account_evaluates_at_most_the_limit(server, app_ctx):
    user, secret = create_staff_user("admin@example.org", Role.ADMIN, STAFF_PASSWORD)
    visitor = Visitor(server.url, server.certificate)
    visitor.get("/staff/sign-in")
    answer = visitor.post("/staff/sign-in", {"email": user.email, "password": STAFF_PASSWORD})
    assert answer.status == 302 and answer.location.endswith("/staff/sign-in/code"), answer.body[:300]
    visitor.get("/staff/sign-in/code")
    totp, now = pyotp.TOTP(secret), time.time()
    valid = {totp.at(now + 30 * step) for step in (-1, 0, 1)}  # the window the server accepts
    codes = (f"{(int(totp.at(now)) + n) % 1_000_000:06d}" for n in range(1, 2 * BURST))
    wrong = [{"code": code} for code in codes if code not in valid][:BURST]
    statuses = burst(visitor, "/staff/sign-in/code", wrong)
    assert statuses.count(400) == 10, statuses  # STAFF_LOGIN_LIMIT_PER_ACCOUNT, 10 per 15 minutes
    assert statuses.count(429) == BURST - 10

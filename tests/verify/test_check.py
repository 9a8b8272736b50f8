import re
import time

import pytest

from portal.models import AuditEvent, NoticeCode
from tests.factories import check_form, expose, give_notice_code, make_incident, make_person

NEUTRAL = b"We could not match those details"


@pytest.fixture
def amina(app_ctx):
    incident = make_incident()
    person = make_person("C-1001", last_name="Muñoz-O'Brien", date_of_birth="1990-03-27")
    expose(person, incident, "payment", "bank account ending 4410")
    return person, give_notice_code(person, incident)


def check(client, code, last_name="Muñoz-O'Brien", dob="1990-03-27"):
    return client.post("/check", data=check_form(code, last_name, dob))


def test_form_labels_are_the_ones_in_the_notice(client):
    page = client.get("/check").get_data(as_text=True)
    for label in ("Notice code", "Last name"):
        assert f">{label}</label>" in page
    assert '<legend class="legend">Date of birth</legend>' in page
    for box in ("Day", "Month", "Year"):
        assert f">{box}</label>" in page


def test_date_of_birth_is_asked_in_day_month_and_year_boxes_not_a_date_picker(client):
    page = client.get("/check").get_data(as_text=True)
    assert 'type="date"' not in page
    for part in ("day", "month", "year"):
        box = re.search(rf'<input[^>]*name="date_of_birth-{part}"[^>]*>', page).group(0)
        assert 'inputmode="numeric"' in box and f'autocomplete="bday-{part}"' in box


def test_right_details_open_the_persons_own_page(client, amina):
    _, code = amina
    response = check(client, code)
    assert response.status_code == 302 and response.location.endswith("/my")
    assert b"bank account ending 4410" in client.get("/my").data


@pytest.mark.parametrize("typed", ["lower", "spaces", "no_dashes", "padded"])
def test_code_is_matched_ignoring_case_spaces_and_dashes(client, amina, typed):
    _, code = amina
    variants = {
        "lower": code.lower(),
        "spaces": code.replace("-", " "),
        "no_dashes": code.replace("-", ""),
        "padded": f"  {code}  ",
    }
    assert check(client, variants[typed]).status_code == 302


def test_last_name_is_matched_without_accents_case_or_punctuation(client, amina):
    _, code = amina
    assert check(client, code, last_name="munoz obrien").status_code == 302


@pytest.mark.parametrize("wrong", ["code", "unknown_code", "last_name", "date_of_birth", "malformed_code"])
def test_each_wrong_detail_gets_the_same_neutral_message(client, amina, wrong):
    _, code = amina
    other = "0000-0000-0000" if code != "0000-0000-0000" else "1111-1111-1111"
    details = {"code": code, "last_name": "Muñoz-O'Brien", "dob": "1990-03-27"}
    details.update({"code": other} if wrong in ("code", "unknown_code") else {})
    details.update({"code": "NOT-A-CODE"} if wrong == "malformed_code" else {})
    details.update({"last_name": "Smith"} if wrong == "last_name" else {})
    details.update({"dob": "1990-03-28"} if wrong == "date_of_birth" else {})
    response = check(client, details["code"], details["last_name"], details["dob"])
    assert response.status_code == 400
    assert NEUTRAL in response.data
    body = response.get_data(as_text=True)
    for revealing in ("not found", "incorrect last name", "wrong date", "does not exist"):
        assert revealing not in body.lower()
    assert client.get("/my").status_code == 302  # no session was started


def test_missing_fields_get_field_errors_linked_from_the_summary(client):
    response = client.post("/check", data=check_form("", "", "1990-02-31"))
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'href="#notice_code"' in body and "Enter the notice code" in body
    assert "Enter your last name" in body
    assert 'href="#date_of_birth">Date of birth must be a real date</a>' in body


@pytest.mark.parametrize(
    ("day", "month", "year", "message", "marked"),
    [
        ("", "", "", "Enter your date of birth", ["day", "month", "year"]),
        ("27", "", "1990", "Date of birth must include a month", ["month"]),
        ("", "", "1990", "Date of birth must include a day and month", ["day", "month"]),
        ("31", "2", "1990", "Date of birth must be a real date", ["day", "month", "year"]),
        ("27", "13", "1990", "Date of birth must be a real date", ["month"]),
        ("27", "March", "1990", "Date of birth must be a real date", ["month"]),
        ("27", "3", "90", "Year must include 4 numbers", ["year"]),
        ("27", "3", "1850", "Date of birth must be on or after January 1, 1900", ["day", "month", "year"]),
        ("27", "3", "2999", "Date of birth must be in the past", ["day", "month", "year"]),
    ],
)
def test_impossible_dates_of_birth_get_a_clear_error_on_the_boxes_to_fix(client, day, month, year, message, marked):
    data = {"notice_code": "7KQ4-M2XD-9TRA", "last_name": "Okafor"}
    data |= {"date_of_birth-day": day, "date_of_birth-month": month, "date_of_birth-year": year}
    response = client.post("/check", data=data)
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    anchor = "date_of_birth" if marked[0] == "day" else f"date_of_birth-{marked[0]}"
    assert f'href="#{anchor}">{message}</a>' in body
    assert f'id="date_of_birth-error"><span class="visually-hidden">Error:</span> {message}' in body
    invalid = re.findall(r'name="date_of_birth-(\w+)"[^>]*aria-invalid="true"', body)
    assert invalid == marked
    assert re.search(rf'name="date_of_birth-year"[^>]*value="{year}"', body)  # what they typed stays
    assert NEUTRAL not in response.data  # a malformed date is the person's typo, not a failed match


def test_a_date_of_birth_typed_with_leading_zeros_and_spaces_matches(client, amina):
    _, code = amina
    data = {"notice_code": code, "last_name": "Muñoz-O'Brien"}
    data |= {"date_of_birth-day": " 27 ", "date_of_birth-month": "03", "date_of_birth-year": "1990"}
    assert client.post("/check", data=data).status_code == 302


def test_failures_are_throttled_per_code(client, amina, app):
    _, code = amina
    limit = int(app.config["VERIFY_LIMIT_PER_CODE"].split()[0])
    for _ in range(limit):
        assert check(client, code, last_name="Wrong").status_code == 400
    blocked = check(client, code)  # even the right details wait now: the code is under attack
    assert blocked.status_code == 429
    assert b"try again later" in blocked.data


def test_failures_are_throttled_per_ip_across_codes(client, amina, app, monkeypatch):
    monkeypatch.setitem(app.config, "VERIFY_LIMIT_PER_IP", "3 per hour")
    for attempt in range(3):
        assert check(client, f"AAAA-BBBB-CC{attempt:02d}").status_code == 400
    assert check(client, "AAAA-BBBB-CC99").status_code == 429
    other_ip = client.post(
        "/check",
        data=check_form(amina[1], "Muñoz-O'Brien", "1990-03-27"),
        environ_base={"REMOTE_ADDR": "198.51.100.7"},
    )
    assert other_ip.status_code == 302


def test_successes_do_not_count_towards_the_throttle(client, amina, app):
    _, code = amina
    limit = int(app.config["VERIFY_LIMIT_PER_CODE"].split()[0])
    for _ in range(limit + 2):
        assert check(client, code).status_code == 302


def test_a_contractor_sees_only_their_own_records(client, amina, app_ctx):
    _, code = amina
    incident = make_incident("second-incident", title="Second")
    other = make_person("C-2002", first_name="Bongani", last_name="Dlamini")
    expose(other, incident, "video", "2 interview recordings")
    check(client, code)
    page = client.get("/my").get_data(as_text=True)
    assert "bank account ending 4410" in page
    assert "interview recordings" not in page and "Bongani" not in page


def test_session_expires_after_the_configured_minutes(client, amina, app):
    _, code = amina
    check(client, code)
    assert client.get("/my").status_code == 200
    with client.session_transaction() as session:
        session["contractor_since"] = int(time.time()) - app.config["CONTRACTOR_SESSION_MINUTES"] * 60 - 1
    expired = client.get("/my")
    assert expired.status_code == 302 and expired.location.endswith("/check")


def test_session_cookie_is_httponly_and_lax(client, amina):
    _, code = amina
    cookie = check(client, code).headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_sign_out_ends_the_session(client, amina):
    check(client, amina[1])
    client.get("/my")  # the page with the sign-out button
    client.post("/sign-out")
    assert client.get("/my").status_code == 302


def test_using_a_newer_code_retires_older_ones(client, amina, app_ctx):
    person, old_code = amina
    new_code = give_notice_code(person)
    assert check(client, new_code).status_code == 302
    client.get("/my")  # the page with the sign-out button
    client.post("/sign-out")
    assert check(client, old_code).status_code == 400
    assert NoticeCode.query.filter(NoticeCode.revoked_at.is_not(None)).count() == 1


def test_verification_is_audited_without_personal_data(client, amina, app_ctx):
    person, code = amina
    check(client, code)
    event = AuditEvent.query.filter_by(action="contractor.verified").one()
    assert event.target == f"person:{person.uid}"
    assert "Muñoz" not in event.details and "1990" not in event.details


def test_a_failure_does_not_make_later_successes_count(client, amina, app):
    """The failure flag belongs to one request; it must not leak into the next ones."""
    _, code = amina
    assert check(client, code, last_name="Wrong").status_code == 400
    limit = int(app.config["VERIFY_LIMIT_PER_CODE"].split()[0])
    for _ in range(limit + 1):
        assert check(client, code).status_code == 302

"""A new code without email: by post (matched in the background), or queued by support; then one file."""

import csv
import io
import json

import pytest
from sqlalchemy import func, select

from portal.batches.letters import LETTER_COLUMNS
from portal.constants import Role
from portal.extensions import db
from portal.models import AuditEvent, LetterRequest, LetterRequestFile, NoticeCode
from portal.staff.service import create_staff_user
from tests.factories import STAFF_PASSWORD, check_form, date_fields, make_person, sign_in_staff
from tests.live import race

SENT_PAGE = "/lost-code/by-post/sent"


@pytest.fixture
def phones(app, monkeypatch):
    monkeypatch.setitem(
        app.config, "ORGANISATION_PHONES", "KE | +254 20 765 4321 | Mon-Fri 8-18\n| +44 20 7946 0000 | 24 hours"
    )


@pytest.fixture
def amina(app_ctx):
    # make_person's address has postal code 00100 (Nairobi).
    return make_person("C-10", first_name="Amina", last_name="Muñoz-O'Brien", date_of_birth="1990-03-27")


def ask_by_post(client, first="Amina", last="Muñoz-O'Brien", dob="1990-03-27", postal="00100", country="KE", **kw):
    data = {
        "first_name": first,
        "last_name": last,
        "postal_code": postal,
        "country": country,
        **date_fields("date_of_birth", dob),
    }
    return client.post("/lost-code/by-post", data=data, **kw)


def count(model, *conditions) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model).where(*conditions))


def test_a_match_is_queued_and_a_non_match_is_not_with_the_same_answer(client, amina, phones):
    matched = ask_by_post(client, first="amina", last="munoz obrien", postal=" 001 00 ")
    assert count(LetterRequest) == 1
    stranger = ask_by_post(client, dob="1991-03-27")
    assert count(LetterRequest) == 1
    assert (matched.status_code, matched.location) == (stranger.status_code, stranger.location) == (302, SENT_PAGE)
    row = db.session.scalars(select(LetterRequest)).one()
    assert (row.person_id, row.source, row.status) == (amina.id, "self", "queued")
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "letter_request.queued")).one()
    assert event.actor == "anonymous" and json.loads(event.details) == {"source": "self"}


def test_asking_twice_queues_one_letter(client, amina):
    ask_by_post(client)
    ask_by_post(client)
    assert count(LetterRequest) == 1


@pytest.mark.parametrize("postal", ["00200", ""])
def test_a_wrong_postal_code_matches_nothing(client, amina, postal):
    ask_by_post(client, postal=postal or "X")
    assert count(LetterRequest) == 0


def test_the_answer_shows_the_help_desk_of_the_country_chosen(client, phones):
    ask_by_post(client, country="KE")
    page = client.get(SENT_PAGE).get_data(as_text=True)
    assert "+254 20 765 4321" in page and "+44 20 7946 0000" not in page
    ask_by_post(client, country="BR")
    page = client.get(SENT_PAGE).get_data(as_text=True)
    assert "+44 20 7946 0000" in page and "+254 20 765 4321" not in page


def test_the_lost_code_page_offers_post_and_the_phones(client, phones):
    page = client.get("/lost-code").get_data(as_text=True)
    assert 'href="/lost-code/by-post"' in page and "+44 20 7946 0000" in page


def test_missing_details_get_clear_errors(client):
    answer = client.post("/lost-code/by-post", data={"first_name": "", "last_name": "X"})
    text = answer.get_data(as_text=True)
    assert answer.status_code == 400
    for message in (
        "Enter your first name",
        "Enter your date of birth",
        "Enter the postal code",
        "Choose your country",
    ):
        assert message in text


def test_requests_by_post_are_throttled(app, client, amina, monkeypatch):
    monkeypatch.setitem(app.config, "LOST_CODE_LIMIT_PER_IP", "2 per hour")
    assert ask_by_post(client, first="A").status_code == 302
    assert ask_by_post(client, first="B", dob="1980-01-01").status_code == 302
    assert ask_by_post(client).status_code == 429
    assert count(LetterRequest) == 0


def test_one_persons_details_are_tried_three_times_a_day_from_any_address(client, amina):
    for n in range(3):
        assert ask_by_post(client, postal=f"9{n}", environ_base={"REMOTE_ADDR": f"10.1.0.{n}"}).status_code == 302
    assert ask_by_post(client, environ_base={"REMOTE_ADDR": "10.1.0.9"}).status_code == 429


def test_support_queue_a_letter_for_a_caller_audited(app, amina):
    support = app.test_client()
    user = sign_in_staff(support, Role.SUPPORT)
    unticked = support.post("/staff/letter-requests/queue", data={"contractor_id": "C-10"})
    assert unticked.status_code == 400 and "Check the caller" in unticked.get_data(as_text=True)
    unknown = support.post("/staff/letter-requests/queue", data={"contractor_id": "C-404", "identity_checked": "y"})
    assert unknown.status_code == 400 and "No one in the register" in unknown.get_data(as_text=True)
    assert (
        support.post(
            "/staff/letter-requests/queue", data={"contractor_id": "C-10", "identity_checked": "y"}
        ).status_code
        == 302
    )
    row = db.session.scalars(select(LetterRequest)).one()
    assert row.source == "support"
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "letter_request.queued")).one()
    assert event.actor == f"staff:{user.id}" and event.target == f"person:{amina.uid}"
    # Support may queue, not make the file.
    assert support.post("/staff/letter-requests/file", data={}).status_code == 403


def test_an_admin_makes_the_queue_into_one_letter_file_whose_codes_work(app, client, amina):
    other = make_person("C-11", first_name="Bo", last_name="Li", email="bo@example.org")
    ask_by_post(client)
    client.post("/lost-code/by-post", data={})  # a bad form changes nothing
    admin = app.test_client()
    user = sign_in_staff(admin, Role.ADMIN)
    admin.post("/staff/letter-requests/queue", data={"contractor_id": "C-11", "identity_checked": "y"})
    assert "2 letters waiting" in admin.get("/staff/letter-requests").get_data(as_text=True)

    assert admin.post("/staff/letter-requests/file", data={}).status_code == 302
    made = db.session.scalars(select(LetterRequestFile)).one()
    assert (made.letters, made.approved_by) == (2, user.id)
    assert count(LetterRequest, LetterRequest.status == "queued") == 0
    download = admin.get(f"/staff/letter-requests/files/{made.id}/letters.csv")
    assert download.status_code == 200 and download.headers["X-Content-SHA256"] == made.sha256
    rows = list(csv.reader(io.StringIO(download.get_data(as_text=True).lstrip("\ufeff"))))
    assert tuple(rows[0]) == LETTER_COLUMNS
    letters = {row[0]: dict(zip(LETTER_COLUMNS, row, strict=True)) for row in rows[1:]}
    assert set(letters) == {"C-10", "C-11"}
    assert letters["C-10"]["postal_code"] == "00100" and letters["C-10"]["notice_code"] in letters["C-10"]["body"]
    assert count(NoticeCode, NoticeCode.source == "letter_request") == 2
    actions = [e.action for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))]
    assert "letter_request_file.created" in actions and "letter_request_file.downloaded" in actions
    # The printed code opens the person's page, like any notice code.
    signed_in = app.test_client()
    answer = signed_in.post("/check", data=check_form(letters["C-11"]["notice_code"], "Li", "1990-03-27"))
    assert answer.status_code == 302 and answer.location.endswith("/my"), other.contractor_id
    # Nothing left: a second approval makes no file.
    admin.post("/staff/letter-requests/file", data={})
    assert count(LetterRequestFile) == 1


def test_concurrent_approvals_make_one_file(app_ctx, live_browser, amina):
    for n in range(4):
        person = make_person(f"Q-{n}", email=f"q{n}@example.org")
        db.session.add(LetterRequest(person_id=person.id, source="support", status="queued"))
    db.session.commit()
    user, secret = create_staff_user("admin-letters@staff.example.org", Role.ADMIN, STAFF_PASSWORD)
    live_browser.sign_in_staff(user.email, secret)
    tabs = [live_browser.tab() for _ in range(6)]
    answers = race(tabs, "/staff/letter-requests", "/staff/letter-requests/file")
    assert all(a.status == 302 for a in answers), [(a.status, a.text[:200]) for a in answers]
    assert count(LetterRequestFile) == 1
    assert count(LetterRequest, LetterRequest.status == "in_file") == 4
    assert count(NoticeCode, NoticeCode.source == "letter_request") == 4
    assert count(AuditEvent, AuditEvent.action == "letter_request_file.created") == 1

import json

import pytest
from sqlalchemy import select

from portal.constants import AuditAction, Role
from portal.extensions import db
from portal.models import AuditEvent
from tests.factories import expose, give_notice_code, make_incident, make_person, sign_in_staff


@pytest.fixture
def support(app_ctx, client):
    return sign_in_staff(client, Role.SUPPORT)


def _events(action) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == str(action))))


def test_search_by_email_uses_the_blind_index(client, support):
    person = make_person("C-1001", email="Amina.Okafor@example.org")
    make_person("C-1002", email="someone.else@example.org")
    response = client.post("/staff/people", data={"term": "  amina.okafor@EXAMPLE.org "})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f"/staff/people/{person.uid}" in page and "C-1001" in page and "C-1002" not in page


def test_search_by_contractor_id_exact_or_ignoring_case(client, support):
    person = make_person("C-AB12")
    for term in ("C-AB12", "c-ab12"):
        page = client.post("/staff/people", data={"term": term}).get_data(as_text=True)
        assert f"/staff/people/{person.uid}" in page


def test_search_with_no_match_says_so(client, support):
    make_person("C-1001")
    page = client.post("/staff/people", data={"term": "C-9999"}).get_data(as_text=True)
    assert "Nobody in the register matches" in page


def test_an_empty_search_shows_the_error(client, support):
    response = client.post("/staff/people", data={"term": ""})
    assert response.status_code == 400
    assert "Enter a contractor ID or an email address" in response.get_data(as_text=True)


def test_the_search_term_is_never_in_a_url_or_the_audit_log(client, support):
    make_person("C-1001", email="amina@example.org")
    page = client.get("/staff/people").get_data(as_text=True)
    assert 'method="post"' in page
    client.post("/staff/people", data={"term": "amina@example.org"})
    [event] = _events(AuditAction.PEOPLE_SEARCHED)
    assert json.loads(event.details) == {"by": "email", "results": 1}
    assert "amina" not in event.details


def test_person_view_shows_decrypted_fields_exposures_and_code_dates_but_no_code(client, support):
    incident = make_incident()
    person = make_person("C-1001", date_of_birth="1990-03-27", national_id_last4="4410", phone="+254711222333")
    expose(person, incident, "payment", "bank account ending 4410")
    code = give_notice_code(person, incident)
    page = client.get(f"/staff/people/{person.uid}").get_data(as_text=True)
    assert "1990-03-27" not in page and "••••-••-••" in page  # support confirm a date, never read it
    for shown in (
        "4410",
        "+254711222333",
        "1 Moi Avenue",
        "Nairobi",
        person.email,
        "bank account ending 4410",
        incident.title,
        "demo",
    ):
        assert shown in page, shown
    assert code not in page and code.replace("-", "") not in page


def test_viewing_a_person_is_audited_every_time(client, support):
    person = make_person("C-1001")
    client.get(f"/staff/people/{person.uid}")
    client.get(f"/staff/people/{person.uid}")
    events = _events(AuditAction.PERSON_VIEWED)
    assert len(events) == 2
    assert {(e.actor, e.target) for e in events} == {(f"staff:{support.id}", f"person:{person.uid}")}


def test_an_unknown_person_is_404_and_not_audited(client, support):
    assert client.get("/staff/people/nosuchuid").status_code == 404
    assert _events(AuditAction.PERSON_VIEWED) == []


def test_a_field_that_does_not_decrypt_is_reported_not_fatal(client, support):
    person = make_person("C-1001")
    other = make_person("C-1002")
    person.date_of_birth_enc = other.date_of_birth_enc  # bound to another row: must not decrypt here
    db.session.commit()
    response = client.get(f"/staff/people/{person.uid}")
    assert response.status_code == 200
    assert "could not be decrypted: date_of_birth" in response.get_data(as_text=True)


def test_legal_and_admins_still_read_the_date_of_birth(app, app_ctx):
    person = make_person("C-1001", date_of_birth="1990-03-27")
    for role in (Role.LEGAL, Role.ADMIN):
        staff = app.test_client()
        sign_in_staff(staff, role)
        assert "1990-03-27" in staff.get(f"/staff/people/{person.uid}").get_data(as_text=True)


def test_support_check_a_callers_date_of_birth_match_or_no_match_audited(client, support):
    person = make_person("C-1001", date_of_birth="1990-03-27")
    url = f"/staff/people/{person.uid}/check-birth-date"
    wrong = client.post(url, data={"date_of_birth": "1990-03-28"})
    assert wrong.status_code == 200 and "It does not match." in wrong.get_data(as_text=True)
    right = client.post(url, data={"date_of_birth": "1990-03-27"})
    page = right.get_data(as_text=True)
    assert "It matches." in page and "1990-03-27" not in page
    events = _events(AuditAction.PERSON_BIRTH_DATE_CHECKED)
    assert [json.loads(e.details) for e in events] == [{"match": False}, {"match": True}]
    assert all("1990" not in e.details for e in events)
    assert client.post(url, data={"date_of_birth": "27/03/1990"}).status_code == 400


def test_guessing_a_date_of_birth_is_throttled(client, support):
    person = make_person("C-1001", date_of_birth="1990-03-27")
    url = f"/staff/people/{person.uid}/check-birth-date"
    answers = [client.post(url, data={"date_of_birth": f"1990-01-{day:02d}"}).status_code for day in range(1, 13)]
    assert answers[:10] == [200] * 10 and answers[10:] == [429, 429]

import json
from datetime import date, timedelta

import pytest

from portal.constants import AuditAction, Role
from portal.extensions import db
from portal.legal.exports import ExportFilters, iter_exclusion_pages
from portal.models import AuditEvent, ExclusionRequest, ExportJob
from tests.factories import check_form, expose, give_notice_code, make_incident, make_person, sign_in_staff


def sign_in(client, code):
    response = client.post("/check", data=check_form(code, "Okafor", "1990-03-27"))
    assert response.status_code == 302
    client.get(response.location)  # land where a browser would: its forms' token is the verified session's


@pytest.fixture
def incident(app_ctx):
    return make_incident(claim_deadline=date.today() + timedelta(days=30))


@pytest.fixture
def person(incident):
    person = make_person("C-OPT", first_name="Amina")
    expose(person, incident, "payment")
    return person


@pytest.fixture
def signed_in(client, person, incident):
    sign_in(client, give_notice_code(person, incident))
    return client


def ask(client, slug, reason="I am suing on my own.", name="Amina Okafor"):
    response = client.post(f"/my/exclusion/{slug}", data={"reason": reason, "typed_name": name})
    assert response.status_code == 302 and response.location.endswith(f"/my/exclusion/{slug}/check")
    return client.get(f"/my/exclusion/{slug}/check")


def test_asking_to_be_excluded_goes_through_check_your_answers(signed_in, incident, person):
    assert signed_in.get("/my/exclusion").location.endswith(f"/my/exclusion/{incident.slug}")
    form = signed_in.get(f"/my/exclusion/{incident.slug}").get_data(as_text=True)
    assert "You will not get any payment" in form
    check = ask(signed_in, incident.slug).get_data(as_text=True)
    assert "Check your answers" in check and "I am suing on my own." in check and "Amina Okafor" in check
    assert db.session.query(ExclusionRequest).count() == 0  # nothing stored before confirming
    done = signed_in.post(f"/my/exclusion/{incident.slug}/check")
    assert done.status_code == 302
    row = db.session.query(ExclusionRequest).one()
    assert (row.person_id, row.reason, row.typed_name, row.withdrawn_at) == (
        person.id,
        "I am suing on my own.",
        "Amina Okafor",
        None,
    )
    assert row.request_ip
    status = signed_in.get(f"/my/exclusion/{incident.slug}").get_data(as_text=True)
    assert "You asked to be excluded" in status and "Withdraw my request" in status
    event = db.session.query(AuditEvent).filter_by(action=AuditAction.EXCLUSION_REQUESTED).one()
    assert event.actor == f"contractor:{person.uid}" and json.loads(event.details) == {"incident": incident.id}


def test_a_typed_name_is_required_and_the_reason_is_optional(signed_in, incident):
    page = signed_in.post(f"/my/exclusion/{incident.slug}", data={"reason": "", "typed_name": "  "})
    assert page.status_code == 200 and "Type your full name to sign your request" in page.get_data(as_text=True)
    ask(signed_in, incident.slug, reason="")
    assert signed_in.post(f"/my/exclusion/{incident.slug}/check").status_code == 302
    assert db.session.query(ExclusionRequest).one().reason == ""


def test_the_request_can_be_withdrawn_before_the_deadline_and_made_again(signed_in, incident):
    ask(signed_in, incident.slug)
    signed_in.post(f"/my/exclusion/{incident.slug}/check")
    assert signed_in.post(f"/my/exclusion/{incident.slug}/withdraw").status_code == 302
    row = db.session.query(ExclusionRequest).one()
    db.session.refresh(row)
    assert row.withdrawn_at is not None
    assert "Ask to be excluded" in signed_in.get(f"/my/exclusion/{incident.slug}").get_data(as_text=True)
    ask(signed_in, incident.slug, reason="Changed my mind again")
    signed_in.post(f"/my/exclusion/{incident.slug}/check")
    db.session.refresh(row)
    assert row.withdrawn_at is None and row.reason == "Changed my mind again"
    assert db.session.query(AuditEvent).filter_by(action=AuditAction.EXCLUSION_WITHDRAWN).count() == 1


def test_after_the_claim_deadline_nothing_can_be_requested_or_withdrawn(signed_in, incident):
    ask(signed_in, incident.slug)
    signed_in.post(f"/my/exclusion/{incident.slug}/check")
    incident.claim_deadline = date.today() - timedelta(days=1)
    db.session.commit()
    status = signed_in.get(f"/my/exclusion/{incident.slug}").get_data(as_text=True)
    assert "your request stands" in status and "Withdraw my request" not in status
    page = signed_in.post(f"/my/exclusion/{incident.slug}/withdraw").get_data(as_text=True)
    assert "The deadline has passed" in page
    assert db.session.query(ExclusionRequest).one().withdrawn_at is None


def test_an_incident_the_person_is_not_in_looks_missing(signed_in, app_ctx):
    other = make_incident(slug="someone-elses")
    assert signed_in.get(f"/my/exclusion/{other.slug}").status_code == 404
    assert signed_in.post(f"/my/exclusion/{other.slug}/withdraw").status_code == 404


def test_without_a_verified_session_the_person_is_sent_to_check(client, incident):
    response = client.get(f"/my/exclusion/{incident.slug}")
    assert response.status_code == 302 and response.location.endswith("/check")


def test_the_exposure_page_links_to_the_exclusion_request(signed_in, incident):
    assert f"/my/exclusion/{incident.slug}".encode() in signed_in.get("/my").data


def test_legal_exports_the_exclusion_list(app, signed_in, incident, person):
    ask(signed_in, incident.slug, reason="=cmd()")
    signed_in.post(f"/my/exclusion/{incident.slug}/check")
    staff = app.test_client()
    sign_in_staff(staff, Role.LEGAL)
    listing = staff.get("/staff/legal/exclusions").get_data(as_text=True)
    assert "C-OPT" in listing
    response = staff.post("/staff/legal/exclusions", data={"incident": str(incident.id), "file_format": "csv"})
    job = db.session.get(ExportJob, int(response.location.split("/")[-1]))
    body = staff.get(f"/staff/legal/exports/{job.id}/download").get_data().decode("utf-8-sig")
    header, row = body.splitlines()[:2]
    assert header.startswith('"incident","contractor_id"') and "C-OPT" in row and "'=cmd()" in row
    assert row.endswith('"excluded",""')  # every cell quoted


def test_admins_cannot_export_the_exclusion_list(app, incident):
    staff = app.test_client()
    sign_in_staff(staff, Role.ADMIN)
    assert staff.get("/staff/legal/exclusions").status_code == 403


def test_the_exclusion_export_reads_every_page_in_order(incident):
    for number in range(5):
        person = make_person(f"C-EX-{number}", first_name="Amina")
        db.session.add(ExclusionRequest(person_id=person.id, incident_id=incident.id, typed_name="Amina Okafor"))
    db.session.commit()
    filters = ExportFilters(incident_id=incident.id)
    pages = list(iter_exclusion_pages(filters, page_size=2))
    assert [len(page) for page in pages] == [2, 2, 1]
    assert [row[1] for page in pages for row in page] == [f"C-EX-{n}" for n in range(5)]
    (whole,) = iter_exclusion_pages(filters, page_size=10)  # one page holds them all
    assert [row for page in pages for row in page] == whole

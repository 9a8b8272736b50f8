import json
from datetime import date

import pytest
from sqlalchemy import select

from portal.constants import AuditAction, Role
from portal.extensions import db
from portal.models import AuditEvent, Incident
from tests.factories import make_incident, sign_in_staff

VALID = {
    "slug": "vendor-breach-2026",
    "title": "Contractor records breach",
    "what_happened": "Someone got in.",
    "what_we_are_doing": "- Notifying everyone\n- Offering monitoring",
    "discovered_on": "2026-10-01",
    "occurred_on": "2026-09-14",
    "claim_deadline": "2027-04-01",
    "enrollment_deadline": "2027-01-31",
    "monitoring_months": "24",
    "contact_email": "help@example.org",
    "contact_phone": "+1 555 0100",
    "contact_hours": "Mon-Fri 9-17 UTC",
    "published": "y",
}


@pytest.fixture
def admin(app_ctx, client):
    return sign_in_staff(client, Role.ADMIN)


def _events(action) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == str(action))))


def test_create_an_incident_and_see_it_on_the_public_page(client, admin):
    response = client.post("/staff/incidents/new", data=VALID)
    assert response.status_code == 302 and response.location.endswith("/staff/incidents/")
    incident = db.session.scalar(select(Incident))
    assert (incident.slug, incident.monitoring_months, incident.claim_deadline) == (
        "vendor-breach-2026",
        24,
        date(2027, 4, 1),
    )
    [event] = _events(AuditAction.INCIDENT_CREATED)
    assert event.actor == f"staff:{admin.id}" and event.target == f"incident:{incident.id}"
    public = client.get("/").get_data(as_text=True)
    assert "Contractor records breach" in public and "<li>Offering monitoring</li>" in public
    assert "vendor-breach-2026" in client.get("/staff/incidents/").get_data(as_text=True)


def test_the_new_incident_form_renders(client, admin):
    page = client.get("/staff/incidents/new").get_data(as_text=True)
    assert 'name="slug"' in page and 'name="discovered_on"' in page and 'name="published"' in page


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("slug", "Vendor Breach", "lowercase letters, digits and single dashes"),
        ("slug", "", "Enter a slug"),
        ("title", "", "Enter a title"),
        ("discovered_on", "2026-13-01", "Enter a real date"),
        ("occurred_on", "2026-10-02", "on or before the date it was discovered"),
        ("claim_deadline", "2026-09-01", "claim deadline must be after"),
        ("monitoring_months", "-1", "from 0 to 120"),
        ("contact_email", "not an email", "Enter an email address"),
    ],
)
def test_create_shows_each_problem_in_the_summary_and_beside_the_field(client, admin, field, value, message):
    response = client.post("/staff/incidents/new", data={**VALID, field: value})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "There is a problem" in page and f'href="#{field}"' in page
    assert f'id="{field}-error"' in page and message in page
    assert db.session.scalar(select(Incident)) is None


def test_create_refuses_a_duplicate_slug(client, admin):
    make_incident("vendor-breach-2026")
    response = client.post("/staff/incidents/new", data=VALID)
    assert response.status_code == 400
    assert "already exists" in response.get_data(as_text=True)


def test_edit_changes_fields_unpublishes_and_audits_what_changed(client, admin):
    incident = make_incident("vendor-breach-2026")
    page = client.get(f"/staff/incidents/{incident.id}/edit").get_data(as_text=True)
    assert "vendor-breach-2026" in page and 'value="2026-10-01"' in page
    data = {**VALID, "title": "Updated title", "monitoring_months": "12"}
    del data["published"]  # an unticked checkbox is not sent
    response = client.post(f"/staff/incidents/{incident.id}/edit", data=data)
    assert response.status_code == 302
    db.session.refresh(incident)
    assert (incident.title, incident.monitoring_months, incident.published) == ("Updated title", 12, False)
    [event] = _events(AuditAction.INCIDENT_UPDATED)
    assert {"title", "monitoring_months", "published"} <= set(json.loads(event.details)["changed"])
    assert "Updated title" not in client.get("/").get_data(as_text=True)


def test_saving_without_changes_writes_no_audit_event(client, admin):
    incident = make_incident("vendor-breach-2026", published=True, monitoring_months=0)
    data = {
        "title": incident.title,
        "what_happened": incident.what_happened,
        "what_we_are_doing": incident.what_we_are_doing,
        "discovered_on": "2026-10-01",
        "monitoring_months": "0",
        "contact_email": incident.contact_email,
        "published": "y",
    }
    assert client.post(f"/staff/incidents/{incident.id}/edit", data=data).status_code == 302
    assert _events(AuditAction.INCIDENT_UPDATED) == []


def test_edit_rejects_bad_dates(client, admin):
    incident = make_incident("vendor-breach-2026")
    response = client.post(f"/staff/incidents/{incident.id}/edit", data={**VALID, "enrollment_deadline": "2026-01-01"})
    assert response.status_code == 400
    assert "enrollment deadline must be after" in response.get_data(as_text=True)


def test_editing_an_unknown_incident_is_404(client, admin):
    assert client.get("/staff/incidents/999/edit").status_code == 404


def test_markdown_with_html_is_sanitised_on_the_public_page(client, admin):
    client.post("/staff/incidents/new", data={**VALID, "what_happened": "<script>alert(1)</script> **bold**"})
    public = client.get("/").get_data(as_text=True)
    assert "<script>alert(1)" not in public and "<strong>bold</strong>" in public

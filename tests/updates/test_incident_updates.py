"""Admins post incident updates: check page first, then shown on the public page and emailed to subscribers."""

import json

import pytest
from sqlalchemy import select

from portal.constants import AuditAction, MailKind, Role
from portal.extensions import db
from portal.models import AuditEvent, IncidentUpdate
from portal.updates.service import active_subscription, end_subscription, subscribe
from tests.factories import expose, make_incident, make_person, sign_in_staff
from tests.monitoring.helpers import outbox

UPDATE = {"title": "Monitoring codes are here", "body": "Codes for **Kroll** monitoring are now available.\n\n- Enroll"}


@pytest.fixture
def admin(app, app_ctx):
    client = app.test_client()
    sign_in_staff(client, Role.ADMIN)
    return client


def test_an_update_is_checked_then_published_on_the_incident_page_and_emailed_to_subscribers(admin, client):
    incident = make_incident()
    people = [make_person(f"C-{n}", email=f"p{n}@example.org") for n in range(3)]
    for person in people:
        expose(person, incident, "contact")
    subscribe(people[0], incident)
    subscribe(people[1], incident)
    end_subscription(active_subscription(people[1], incident))  # changed their mind

    form = {**UPDATE, "incident_id": str(incident.id)}
    check = admin.post("/staff/updates/new", data={**form, "action": "check"})
    page = check.get_data(as_text=True)
    assert check.status_code == 200 and "Check the update before you publish it" in page
    assert "<strong>Kroll</strong>" in page and "Publish and email 1 subscriber" in page
    assert db.session.scalar(select(IncidentUpdate)) is None  # nothing happens before the check page's button

    published = admin.post("/staff/updates/new", data={**form, "action": "publish"})
    assert published.status_code == 302
    again = admin.post("/staff/updates/new", data={**form, "action": "publish"}, follow_redirects=True)
    assert "already published a moment ago" in again.get_data(as_text=True)  # a double click sends nothing more
    [mail] = outbox(MailKind.INCIDENT_UPDATE)
    assert mail.to_address == "p0@example.org" and mail.subject == "Update: Monitoring codes are here"
    assert "Codes for **Kroll** monitoring" in mail.body_text and "/updates/unsubscribe/" in mail.body_text
    [row] = db.session.scalars(select(IncidentUpdate)).all()
    assert row.emailed_at is not None
    public = client.get("/").get_data(as_text=True)
    assert "Monitoring codes are here" in public and "<strong>Kroll</strong>" in public
    actions = [e.action for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))]
    assert AuditAction.INCIDENT_UPDATE_PUBLISHED in actions and AuditAction.INCIDENT_UPDATE_EMAILED in actions
    emailed = db.session.scalar(select(AuditEvent).where(AuditEvent.action == AuditAction.INCIDENT_UPDATE_EMAILED))
    assert json.loads(emailed.details)["emailed"] == 1


def test_change_goes_back_to_the_form_with_the_text_kept(admin):
    incident = make_incident()
    response = admin.post("/staff/updates/new", data={**UPDATE, "incident_id": str(incident.id), "action": "edit"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Post an update" in page and "Monitoring codes are here" in page


def test_a_missing_title_or_text_is_shown_beside_the_field(admin):
    incident = make_incident()
    response = admin.post("/staff/updates/new", data={"incident_id": str(incident.id), "title": "", "body": ""})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "Enter a title" in page and "Enter the text of the update" in page


def test_staff_markdown_in_an_update_cannot_inject_script(admin, client):
    incident = make_incident()
    admin.post(
        "/staff/updates/new",
        data={
            "incident_id": str(incident.id),
            "title": "T",
            "action": "publish",
            "body": "<script>alert(1)</script> [x](javascript:alert(1))",
        },
    )
    page = client.get("/").get_data(as_text=True)
    assert "<script>alert" not in page and "javascript:" not in page


@pytest.mark.parametrize("role", [Role.LEGAL, Role.SUPPORT, Role.AUDITOR])
def test_only_admins_post_updates(app, app_ctx, role):
    client = app.test_client()
    sign_in_staff(client, role)
    assert client.get("/staff/updates/").status_code == 403
    assert client.post("/staff/updates/new", data={}).status_code == 403

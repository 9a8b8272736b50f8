"""Who we are: stored in the database, edited by an admin (audited), seeded by command, in notices."""

import json
from types import SimpleNamespace

import pytest

from portal.constants import Role
from portal.extensions import db
from portal.mail.rendering import incident_values, render_notice
from portal.models import AuditEvent, Organisation
from portal.trust.organisation_admin import DEMO_ORGANISATION, seed_demo_organisation
from tests.factories import make_incident, sign_in_staff

FORM = {
    "legal_name": "Acme Gig Works Ltd",
    "claims_administrator": "Acme Claims LLC",
    "sender_addresses": "notices@acme-gig.test\nhelp@acme-gig.test",
    "sender_domains": "acme-gig.test",
    "phone_lines": "KE | +254 20 111 2222 | Mon-Fri 8-18\n| +44 20 7946 0999 | 24 hours",
    "postal_address": "Acme Gig Works\nPO Box 1\nNairobi",
}


@pytest.fixture
def admin(app, app_ctx):
    client = app.test_client()
    sign_in_staff(client, Role.ADMIN)
    return client


def test_an_admin_edits_who_we_are_audited_and_every_public_page_shows_it(admin, client):
    answer = admin.post("/staff/organisation", data=FORM)
    assert answer.status_code == 302
    row = db.session.get(Organisation, 1)
    assert row.legal_name == "Acme Gig Works Ltd" and "+254 20 111 2222" in row.phone_lines
    event = db.session.query(AuditEvent).filter_by(action="organisation.updated").one()
    assert set(json.loads(event.details)["changed"]) == set(FORM) and event.actor.startswith("staff:")
    assert "run by Acme Gig Works Ltd" in client.get("/").get_data(as_text=True)
    check = client.get("/is-this-from-us").get_data(as_text=True).replace("<wbr>", "")
    for expected in ("notices@acme-gig.test", "+254 20 111 2222", "Acme Claims LLC", "PO Box 1"):
        assert expected in check
    # The same details again: nothing changed, nothing audited.
    admin.post("/staff/organisation", data=FORM)
    assert db.session.query(AuditEvent).filter_by(action="organisation.updated").count() == 1


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("phone_lines", "KE | +254 1\nKenya | +254 2 | any time", "Line 2:"),
        ("phone_lines", "KE | | Mon", "Line 1:"),
        ("sender_addresses", "not an address", "Not an email address"),
        ("sender_domains", "acme gig", "Not a domain"),
        ("legal_name", "", "Enter the legal name"),
    ],
)
def test_unreadable_details_are_refused_with_a_clear_error(admin, field, value, message):
    answer = admin.post("/staff/organisation", data={**FORM, field: value})
    assert answer.status_code == 400 and message in answer.get_data(as_text=True)
    assert db.session.get(Organisation, 1) is None


@pytest.mark.parametrize("role", [Role.SUPPORT, Role.LEGAL, Role.AUDITOR])
def test_only_admins_edit_it(app, app_ctx, role):
    client = app.test_client()
    sign_in_staff(client, role)
    assert client.get("/staff/organisation").status_code == 403


def test_notices_carry_who_we_are_through_placeholders(app, app_ctx):
    seed_demo_organisation()
    with app.test_request_context():
        values = incident_values(make_incident(), "en")
        content = SimpleNamespace(
            subject="From ((organisation_name))",
            body_markdown=(
                "Call ((help_desk_phones)). Letters come from ((letters_from)). Check: ((verify_message_url))"
            ),
        )
        notice = render_notice(content, values)
    subject, text = notice.subject, notice.text.strip()
    assert subject == "From " + DEMO_ORGANISATION["legal_name"]
    assert "+254 20 000 0000 (KE), Mon-Fri 08:00-18:00 EAT" in text
    assert "PO Box 0000, Exampletown EX1 0AA" in text
    assert text.endswith(app.config["PUBLIC_URL"].rstrip("/") + "/is-this-from-us")


def test_the_seed_command_stores_the_settings_once_unless_told_to_replace(app, app_ctx, runner, monkeypatch):
    monkeypatch.setitem(app.config, "ORGANISATION_LEGAL_NAME", "Seeded Org")
    monkeypatch.setitem(app.config, "ORGANISATION_PHONES", "| +1 555 0100 | 24h")
    result = runner.invoke(args=["portal", "organisation-seed"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert db.session.get(Organisation, 1).legal_name == "Seeded Org"
    assert runner.invoke(args=["portal", "organisation-seed"]).exit_code != 0
    monkeypatch.setitem(app.config, "ORGANISATION_LEGAL_NAME", "Seeded Again")
    assert runner.invoke(args=["portal", "organisation-seed", "--replace"]).exit_code == 0
    db.session.expire_all()
    assert db.session.get(Organisation, 1).legal_name == "Seeded Again"
    assert db.session.query(AuditEvent).filter_by(action="organisation.updated", actor="cli").count() == 2

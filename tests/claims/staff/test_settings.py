"""The incident team sets what each incident's claims offer; the claimant's pages follow it."""

import pytest

from portal.constants import Role
from portal.extensions import db
from portal.models import AuditEvent, ClaimSettings
from tests.claims.support import make_claim_incident
from tests.factories import sign_in_staff

VALID = {
    "currency": "kes",
    "out_of_pocket_enabled": "y",
    "out_of_pocket_cap": "250,000",
    "lost_time_enabled": "y",
    "lost_time_rate": "500",
    "lost_time_self_attested_hours": "3",
    "lost_time_max_hours": "10",
    "alternative_cash": "2000",
    "payment_methods": ["mobile_money", "bank_transfer"],
    "appeal_window_days": "14",
    "cure_period_days": "21",
    "max_file_mb": "5",
    "max_claim_mb": "20",
}


@pytest.fixture
def admin(app, app_ctx):
    client = app.test_client()
    sign_in_staff(client, Role.ADMIN)
    return client


def test_an_admin_sets_an_incidents_claim_settings(admin):
    incident = make_claim_incident()
    assert "Claim settings for each incident" in admin.get("/staff/claims/").get_data(as_text=True)
    assert admin.get("/staff/claims/settings").status_code == 200
    assert admin.get(f"/staff/claims/settings/{incident.id}").status_code == 200
    response = admin.post(f"/staff/claims/settings/{incident.id}", data=VALID)
    assert response.status_code == 302
    db.session.expire_all()
    settings = db.session.get(ClaimSettings, incident.id)
    assert settings.currency == "KES" and settings.out_of_pocket_cap_cents == 25_000_000
    assert settings.alternative_cash_enabled is False and settings.monitoring_instead_enabled is False
    assert settings.payment_methods == "mobile_money,bank_transfer" and settings.max_file_bytes == 5 * 1024 * 1024
    event = AuditEvent.query.filter_by(action="claim_settings.updated").one()
    assert "out_of_pocket_cap_cents" in event.details


def test_settings_are_validated(admin):
    incident = make_claim_incident()
    bad = {
        **VALID,
        "currency": "XYZ",
        "lost_time_max_hours": "2",
        "payment_methods": [],
        "max_claim_mb": "1",
        "lost_time_rate": "lots",
    }
    response = admin.post(f"/staff/claims/settings/{incident.id}", data=bad)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    for message in (
        "Enter a three-letter ISO 4217 currency code",
        "at least the hours allowed without documents",
        "Select at least one payment method",
        "at least the largest single file",
        "Enter the amount as a number",
    ):
        assert message in page, message


@pytest.mark.parametrize("role", [Role.LEGAL, Role.SUPPORT, Role.AUDITOR])
def test_only_admins_change_claim_settings(app, app_ctx, role):
    incident = make_claim_incident()
    client = app.test_client()
    sign_in_staff(client, role)
    assert client.get(f"/staff/claims/settings/{incident.id}").status_code == 403
    assert client.post(f"/staff/claims/settings/{incident.id}", data=VALID).status_code == 403


def test_the_claimant_sees_the_configured_methods(app, admin, claimant, signed_in):
    admin.post(f"/staff/claims/settings/{claimant.incident.id}", data={**VALID, "alternative_cash_enabled": "y"})
    response = signed_in.post(f"/my/claims/start/{claimant.incident.id}")
    claim_id = int(response.location.split("/")[3])
    signed_in.post(f"/my/claims/{claim_id}/benefits", data={"benefits": ["alternative_cash"]})
    page = signed_in.get(f"/my/claims/{claim_id}/payment").get_data(as_text=True)
    assert "Mobile money" in page and "PayPal" not in page
    assert signed_in.post(f"/my/claims/{claim_id}/payment", data={"method": "mobile_money"}).status_code == 302
    response = signed_in.post(
        f"/my/claims/{claim_id}/payment-details", data={"provider": "M-Pesa", "phone_number": "12"}
    )
    assert "Enter the phone number with its country code" in response.get_data(as_text=True)
    assert (
        signed_in.post(
            f"/my/claims/{claim_id}/payment-details", data={"provider": "M-Pesa", "phone_number": "+254 712 345 678"}
        ).status_code
        == 302
    )
    page = signed_in.get(f"/my/claims/{claim_id}/check").get_data(as_text=True)
    assert "M-Pesa •••• 5678" in page and "KES" in page

"""The incident team's monitoring page: products, eligibility settings, pool warnings, audit."""

import json

import pytest
from sqlalchemy import select

from portal.constants import AuditAction, Role
from portal.extensions import db
from portal.models import AuditEvent, MonitoringProduct
from portal.monitoring.service import enroll
from tests.factories import expose, make_incident, make_person, sign_in_staff
from tests.monitoring.helpers import FUTURE, add_codes, make_product

FORM = {
    "name": "Identity Defense",
    "provider": "Kroll",
    "months": "24",
    "countries": "us, ca",
    "enrollment_url": "https://enroll.kroll.example/portal",
    "low_pool_threshold": "50",
    "active": "y",
}


@pytest.fixture
def admin(app, app_ctx):
    client = app.test_client()
    sign_in_staff(client, Role.ADMIN)
    return client


def test_an_admin_adds_a_product_and_it_is_audited(admin):
    incident = make_incident()
    response = admin.post(
        "/staff/monitoring/new", data={**FORM, "incident_id": str(incident.id), "requires_us_credit_file": "y"}
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    product = db.session.scalar(select(MonitoringProduct))
    assert (product.countries, product.requires_us_credit_file, product.low_pool_threshold) == ("US,CA", True, 50)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == AuditAction.MONITORING_PRODUCT_CREATED))
    assert json.loads(event.details)["incident"] == incident.slug


def test_bad_product_details_are_shown_beside_their_fields(admin):
    incident = make_incident()
    response = admin.post(
        "/staff/monitoring/new",
        data={
            **FORM,
            "incident_id": str(incident.id),
            "months": "0",
            "countries": "US, XX",
            "enrollment_url": "http://plain.example",
        },
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Enter a whole number from 1 to 120" in page
    assert "Enter an address that starts with https://" in page
    response = admin.post("/staff/monitoring/new", data={**FORM, "incident_id": str(incident.id), "countries": "XX"})
    assert response.status_code == 400 and "Not a two-letter country code: XX" in response.get_data(as_text=True)
    assert db.session.scalar(select(MonitoringProduct)) is None


def test_an_admin_edits_a_product_and_the_change_is_audited(admin):
    product = make_product(make_incident())
    response = admin.post(f"/staff/monitoring/{product.id}/edit", data={**FORM, "low_pool_threshold": "7"})
    assert response.status_code == 302
    db.session.refresh(product)
    assert product.low_pool_threshold == 7
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == AuditAction.MONITORING_PRODUCT_UPDATED))
    assert "low_pool_threshold" in json.loads(event.details)["changed"]


def test_a_pool_below_its_threshold_warns_the_admin(admin):
    incident = make_incident(enrollment_deadline=FUTURE)
    low = make_product(incident, name="Low Pool", threshold=5)
    add_codes(low, "L-1", "L-2", "L-3")
    full = make_product(incident, name="Full Pool", threshold=2)
    add_codes(full, "F-1", "F-2", "F-3")
    page = admin.get("/staff/monitoring/").get_data(as_text=True)
    assert "Pools that need codes" in page
    assert "Low Pool has 3 codes left" in page and "(warning below 5)" in page
    assert "Full Pool has" not in page


def test_an_empty_pool_with_people_waiting_is_flagged(admin):
    incident = make_incident(enrollment_deadline=FUTURE)
    product = make_product(incident, name="Empty Pool")
    person = make_person(country="KE")
    expose(person, incident, "contact")
    enroll(person, product, "127.0.0.1")
    page = admin.get("/staff/monitoring/").get_data(as_text=True)
    assert "Empty Pool has no codes left." in page and "1 person is on the waiting list." in page


@pytest.mark.parametrize("role", [Role.LEGAL, Role.SUPPORT, Role.AUDITOR])
def test_only_admins_manage_monitoring(app, app_ctx, role):
    client = app.test_client()
    sign_in_staff(client, role)
    assert client.get("/staff/monitoring/").status_code == 403
    assert client.get("/staff/monitoring/new").status_code == 403

"""The legal workspace in a desktop browser, and the contractor's exclusion request on a phone."""

import csv
import io
import re
from datetime import date

import pytest
from playwright.sync_api import Page, expect

from portal.constants import ClaimStatus, Role
from portal.constants import NotificationStatus as S
from tests.browser.a11y import assert_fits_phone, assert_no_axe_violations
from tests.browser.test_contractor_flow import fill_check_form
from tests.browser.test_staff_pages import sign_in
from tests.factories import make_incident
from tests.legal.support import bulk_residents, claimant, make_batch, make_claim, notify

pytestmark = pytest.mark.browser


@pytest.fixture
def legal_data(app):
    with app.app_context():
        incident = make_incident(discovered_on=date(2026, 10, 1))
        approved = claimant(
            incident, "C-APPROVED", first_name='=HYPERLINK("http://evil")', country="US", region="US-CA"
        )
        make_claim(approved, incident, status=ClaimStatus.APPROVED)
        make_claim(claimant(incident, "C-WAITING"), incident, status=ClaimStatus.SUBMITTED)
        bulk_residents(incident, 1, "KE")  # its Data Commissioner must be told within 72 hours
        people = bulk_residents(incident, 30, "US", "US-TX")
        batch = make_batch(incident)
        for person, status in zip(people, [S.DELIVERED] * 20 + [S.BOUNCED] * 5, strict=False):
            notify(batch, person, status)
        return incident.id


def test_legal_filters_and_downloads_an_export_and_every_legal_page_passes_axe(desktop_page: Page, app, legal_data):
    page = desktop_page
    sign_in(page, app, Role.LEGAL)
    page.get_by_role("navigation", name="Staff area").get_by_role("link", name="Legal").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Legal")
    assert_no_axe_violations(page)

    page.get_by_role("link", name="Export claimants").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Export claimants")
    assert_no_axe_violations(page)

    page.get_by_label("Country (2-letter code)").fill("USA")
    page.get_by_role("button", name="Create export").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter a 2-letter country code")
    assert_no_axe_violations(page)

    page.get_by_label("Country (2-letter code)").fill("")
    page.get_by_label("Incident", exact=True).select_option(str(legal_data))
    page.get_by_label("approved").check()
    page.get_by_role("button", name="Create export").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"Export #\d+: claimants"))
    expect(page.get_by_role("status")).to_contain_text("Your export is ready.")
    assert_no_axe_violations(page)

    with page.expect_download() as download_info:
        page.get_by_role("link", name=re.compile(r"Download claimants-\d+\.csv")).click()
    body = download_info.value.path().read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(body)))
    assert [row["contractor_id"] for row in rows] == ["C-APPROVED"]
    assert rows[0]["first_name"].startswith("'=HYPERLINK")

    for path, heading in (
        ("/staff/legal/exclusions", "Exclusion requests"),
        ("/staff/legal/declaration", "Notice declaration"),
        ("/staff/legal/regulator", "Regulator report"),
        ("/staff/legal/jurisdictions", "Jurisdiction rules"),
    ):
        page.goto(path)
        expect(page.get_by_role("heading", level=1)).to_contain_text(heading)
        assert_no_axe_violations(page)

    page.goto(f"/staff/legal/regulator?incident={legal_data}")
    kenya = page.get_by_role("row").filter(has_text="Data Protection Commissioner")
    expect(kenya).to_contain_text("OVERDUE")
    kenya.get_by_role("link", name=re.compile("Record the filing")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Record a filing")
    assert_no_axe_violations(page)
    page.get_by_label("Date it was sent (YYYY-MM-DD)").fill("2099-01-01")
    page.get_by_label("Their reference (optional)").fill("ODPC/2026/0117")
    page.get_by_role("button", name="Save the filing").click()
    expect(page.get_by_role("alert")).to_contain_text("cannot be in the future")
    assert_no_axe_violations(page)
    page.get_by_label("Date it was sent (YYYY-MM-DD)").fill("2026-10-02")
    page.get_by_role("button", name="Save the filing").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Regulator report")
    kenya = page.get_by_role("row").filter(has_text="Data Protection Commissioner")
    expect(kenya).to_contain_text("Filed 2026-10-02 (ref. ODPC/2026/0117)")
    expect(kenya).not_to_contain_text("OVERDUE")
    assert_no_axe_violations(page)


def test_contractor_asks_to_be_excluded_on_a_phone(page: Page, contractor):
    page.goto("/check")
    fill_check_form(page, contractor.code, contractor.last_name, contractor.date_of_birth)
    page.get_by_role("link", name="Ask to be excluded from the settlement").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ask to be excluded from the settlement")
    assert_no_axe_violations(page)
    assert_fits_phone(page)

    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("alert")).to_contain_text("Type your full name to sign your request")
    assert_no_axe_violations(page)

    page.get_by_label("Your full name").fill("Amina Okafor")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your answers")
    assert_no_axe_violations(page)
    assert_fits_phone(page)

    page.get_by_role("button", name="Send my request to be excluded").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("You asked to be excluded")
    assert_no_axe_violations(page)
    exclusion_page = page.url

    page.goto(f"/my/claims/start/{contractor.incident_id}")  # excluded people cannot claim
    expect(page.get_by_role("heading", level=1)).to_have_text("You asked to be excluded from the settlement")
    assert_no_axe_violations(page)
    assert_fits_phone(page)
    page.get_by_role("link", name="See your request to be excluded").click()
    assert page.url == exclusion_page
    page.get_by_role("button", name="Withdraw my request").click()
    expect(page.get_by_role("status")).to_contain_text("withdrawn")

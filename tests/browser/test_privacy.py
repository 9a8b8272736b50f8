"""Privacy in a browser: a contractor downloads their record and asks for erasure on a phone; legal
decides it at a desk; the privacy notice and the retention page pass axe-core.
PRIVACY_SHOTS=<folder> saves a screenshot of each page."""

import io
import os
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from portal.constants import Role
from tests.browser.a11y import assert_no_axe_violations
from tests.browser.test_contractor_flow import fill_check_form
from tests.browser.test_staff_pages import sign_in
from tests.factories import make_incident
from tests.privacy.support import make_someone

pytestmark = pytest.mark.browser


def shot(page: Page, name: str) -> None:
    folder = os.environ.get("PRIVACY_SHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def test_record_request_decision_and_notice_in_a_browser(page, desktop_page, app):
    with app.app_context():
        amina = make_someone(make_incident(title="Vendor breach, June", claim_deadline=date(2026, 1, 1)), "BRW1")
        code, last_name, born, reference = amina.code, amina.last_name, amina.birth_date, amina.claim.reference

    page.goto("/privacy")
    expect(page.get_by_role("heading", level=1)).to_have_text("Privacy notice")
    assert_no_axe_violations(page)
    shot(page, "1-privacy-notice")

    page.goto("/check")
    fill_check_form(page, code, last_name, born)
    expect(page.get_by_role("heading", level=2, name="Your record and your data")).to_be_visible()
    shot(page, "2-my-page")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download my record (PDF)").click()
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(Path(download.value.path()).read_bytes())).pages)
    assert last_name in text and reference in text and "Vendor breach, June" in text

    page.get_by_role("link", name="Ask us to correct or delete your data").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your data: ask us")
    assert_no_axe_violations(page)
    page.get_by_role("radio", name="Delete my information").check()
    page.get_by_role("button", name="Send my request").click()
    expect(page.get_by_text("We have your request.")).to_be_visible()
    shot(page, "3-my-requests")

    staff = desktop_page
    sign_in(staff, app, Role.LEGAL)
    staff.get_by_role("link", name="Data requests").first.click()
    expect(staff.get_by_role("heading", level=1)).to_have_text("Data requests")
    assert_no_axe_violations(staff)
    shot(staff, "4-queue")
    staff.locator("table a").first.click()
    staff.get_by_label("Decision", exact=True).select_option("grant")
    staff.get_by_label("Reason for the decision").fill("Art. 17: no reason to keep it")
    assert_no_axe_violations(staff)
    shot(staff, "5-request")
    staff.get_by_role("button", name="Record the decision").click()
    expect(staff.locator(".request-status")).to_have_text("granted")

    staff.goto("/staff/privacy/retention")
    expect(staff.get_by_role("heading", level=1)).to_have_text("Retention schedule")
    assert_no_axe_violations(staff)
    shot(staff, "6-retention")

"""In Chromium at 1280 and 360 px, axe-core finding nothing: support send a caller their notice again
through the check page; the organisation's logo in the header and on the check page; a returned
letter prompting a French-speaking contractor to check their postal address. Screenshots of each
step are left in the test's tmp_path for a person to look at."""

import io
import json

import pytest
from PIL import Image
from playwright.sync_api import expect
from sqlalchemy import select

from portal.constants import Role
from portal.extensions import db
from portal.models import Notification, Person
from tests.browser.a11y import assert_fits_phone, assert_no_axe_violations
from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.test_contractor_flow import fill_check_form
from tests.browser.test_staff_pages import sign_in
from tests.factories import expose, give_notice_code, make_batch_with_notifications, make_incident, make_person

pytestmark = pytest.mark.browser
BIRTH_DATE = "1990-03-27"


@pytest.fixture
def caller_uid(app) -> str:
    with app.app_context():
        batch = make_batch_with_notifications(count=1, status="sent")
        person = db.session.get(
            Person, db.session.scalar(select(Notification.person_id).where(Notification.batch_id == batch.id))
        )
        person.encrypt_field("date_of_birth", BIRTH_DATE)
        person.encrypt_field(
            "address", json.dumps({"line1": "1 Moi Avenue", "city": "Nairobi", "postal_code": "00100"})
        )
        db.session.commit()
        return person.uid


def _context(browser, browser_context_args, viewport):
    return browser.new_context(**{**browser_context_args, **(DESKTOP if viewport == "desktop" else PHONE)})


def _looks_right(page, viewport, shot):
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert_no_axe_violations(page)
    if viewport == "phone":
        assert_fits_phone(page)
    page.screenshot(path=shot, full_page=True)


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_support_resend_a_notice_by_email_through_the_check_page(
    browser, browser_context_args, app, caller_uid, viewport, tmp_path
):
    context = _context(browser, browser_context_args, viewport)
    page = context.new_page()
    try:
        sign_in(page, app, Role.SUPPORT)
        page.goto(f"/staff/people/{caller_uid}")
        page.get_by_label("The caller's date of birth").fill(BIRTH_DATE)
        page.get_by_role("button", name="Check", exact=True).click()
        expect(page.get_by_role("status").filter(has_text="It matches.")).to_be_visible()
        _looks_right(page, viewport, tmp_path / f"1-person-{viewport}.png")
        page.get_by_role("link", name="Resend the notice by email").click()
        page.get_by_role("button", name="Continue").click()  # no reason: the error summary
        expect(page.get_by_role("alert").first).to_contain_text("Enter why you are sending the notice again")
        _looks_right(page, viewport, tmp_path / f"2-reason-error-{viewport}.png")
        page.get_by_label("Why are you sending it again?").fill("The caller says the email never arrived")
        page.get_by_role("button", name="Continue").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Check your answers")
        _looks_right(page, viewport, tmp_path / f"3-check-{viewport}.png")
        page.get_by_role("button", name="Send the notice by email").click()
        expect(page.get_by_text("The notice is on its way by email, with a new notice code.")).to_be_visible()
        _looks_right(page, viewport, tmp_path / f"4-sent-{viewport}.png")
    finally:
        context.close()


def _logo_png() -> bytes:
    out = io.BytesIO()
    image = Image.new("RGBA", (240, 60), (0, 0, 0, 0))
    image.paste((29, 112, 184, 255), (0, 0, 60, 60))
    image.paste((255, 221, 0, 255), (70, 15, 230, 45))
    image.save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def french_contractor_with_a_returned_letter(app):
    from portal.trust.logo import prepare_logo, save_logo
    from portal.trust.organisation_admin import DEMO_ORGANISATION, save_organisation
    from portal.trust.vendor_imports import import_returned_letters

    with app.app_context():
        save_organisation(DEMO_ORGANISATION, actor="cli")
        save_logo(prepare_logo(_logo_png()))
        incident = make_incident()
        person = make_person("C-FR-1", last_name="Dubois", language="fr", country="FR", date_of_birth=BIRTH_DATE)
        expose(person, incident, "payment", "Compte bancaire se terminant par 4410")
        import_returned_letters(incident, b"contractor_id,returned_on,reason\nC-FR-1,2026-11-02,Parti sans adresse\n")
        return give_notice_code(person, incident)


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_the_logo_and_the_returned_letter_prompt_on_a_french_contractor_s_pages(
    browser, browser_context_args, french_contractor_with_a_returned_letter, viewport, tmp_path
):
    context = _context(browser, browser_context_args, viewport)
    page = context.new_page()
    try:
        page.goto("/check")
        fill_check_form(page, french_contractor_with_a_returned_letter, "Dubois", BIRTH_DATE)
        expect(page.locator("html")).to_have_attribute("lang", "fr")
        expect(page.get_by_text("Une lettre que nous vous avons envoyée nous a été renvoyée.")).to_be_visible()
        logo = page.locator("header img.site-logo")
        expect(logo).to_have_attribute("alt", "Example Gig Platform Ltd (fictional, demo only)")
        assert logo.evaluate("img => img.complete && img.naturalWidth") == 240
        _looks_right(page, viewport, tmp_path / f"5-my-fr-{viewport}.png")
        page.get_by_role("link", name="Vérifiez vos coordonnées").click()
        _looks_right(page, viewport, tmp_path / f"6-contact-fr-{viewport}.png")
        page.goto("/is-this-from-us")
        expect(page.locator("main img.org-logo")).to_have_attribute(
            "alt", "Example Gig Platform Ltd (fictional, demo only)"
        )
        _looks_right(page, viewport, tmp_path / f"7-check-page-fr-{viewport}.png")
    finally:
        context.close()


def test_an_admin_sees_the_logo_form_and_the_default_reminder_offer(desktop_page, app, tmp_path):
    from portal.batches.audience import Audience
    from portal.constants import Reminder
    from tests.batches.helpers import make_batch, make_template
    from tests.factories import make_staff_user

    with app.app_context():
        incident = make_incident(slug="reminders")
        batch = make_batch(
            incident,
            make_template(incident),
            make_staff_user(),
            audience=Audience(reminder=Reminder.CLAIM_NOT_SUBMITTED),
        )
        batch_id = batch.id
    page = desktop_page
    sign_in(page, app, Role.ADMIN)
    page.goto("/staff/organisation")
    page.get_by_role("button", name="Upload the logo").click()
    expect(page.get_by_role("alert").first).to_contain_text("Choose a PNG or JPEG file")
    _looks_right(page, "desktop", tmp_path / "8-organisation-logo-error.png")
    page.goto(f"/staff/batches/{batch_id}")
    page.get_by_role("button", name="Use the default reminder for this batch").click()
    expect(page.get_by_text("The batch now uses the template")).to_be_visible()
    _looks_right(page, "desktop", tmp_path / "9-reminder-batch.png")

"""A contractor on a 360 px phone ticks off steps, enrolls in monitoring and manages updates;
the incident team's monitoring and update pages on a desktop. axe-core on every page and state."""

import re
from datetime import date

import pyotp
import pytest
from playwright.sync_api import Page, expect

from portal.constants import MailKind, Role
from portal.extensions import db
from portal.models import Incident
from portal.staff.service import create_staff_user
from tests.browser.a11y import assert_fits_phone, assert_no_axe_violations
from tests.browser.conftest import HTTPS
from tests.browser.test_contractor_flow import fill_date
from tests.monitoring.helpers import add_codes, make_product, outbox

pytestmark = pytest.mark.browser

PASSWORD = "a long staff password for the monitoring tests"


def check_page(page: Page) -> None:
    assert_fits_phone(page)
    assert_no_axe_violations(page)


def sign_in_contractor(page: Page, contractor) -> None:
    page.goto("/check")
    page.get_by_label("Notice code", exact=True).fill(contractor.code)
    page.get_by_label("Last name", exact=True).fill(contractor.last_name)
    fill_date(page, "Date of birth", contractor.date_of_birth)
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Your information, {contractor.first_name}")


def offer_monitoring(app, *codes: str, deadline=date(2099, 12, 31)) -> None:
    with app.app_context():
        incident = db.session.query(Incident).one()
        incident.enrollment_deadline = deadline
        db.session.commit()
        product = make_product(incident, name="Identity Defense", provider="Kroll")
        if codes:
            add_codes(product, *codes)


def test_contractor_ticks_steps_saves_them_and_unticks_one(page, contractor):
    sign_in_contractor(page, contractor)
    overall = page.locator("#progress-overall")
    expect(overall).to_contain_text(re.compile(r"0 of \d+ steps done"))
    check_page(page)

    first_card = page.locator("li.card").first
    to_do = first_card.locator("li.checklist-item")
    first_text = to_do.first.locator("label").inner_text()
    to_do.nth(0).locator("input[type=checkbox]").check()
    to_do.nth(1).locator("input[type=checkbox]").check()
    first_card.get_by_role("button", name=re.compile("^Save my steps")).click()
    expect(overall).to_contain_text(re.compile(r"^\s*2 of \d+ steps done"))
    expect(page).to_have_url(re.compile(r"/my#card-\d+-national_id$"))
    expect(first_card.get_by_role("status")).to_contain_text(re.compile(r"Saved: 2 of \d+ steps done"))
    expect(first_card.locator(".progress")).to_have_text(re.compile(r"2 of \d+ steps done"))
    done = first_card.locator("details.done-steps")
    expect(done.locator("summary")).to_have_text("The 2 steps you have done")
    expect(done.get_by_label(first_text)).to_be_hidden()  # folded away until opened
    check_page(page)

    done.locator("summary").click()
    done.get_by_label(first_text).uncheck()
    first_card.get_by_role("button", name=re.compile("^Save my steps")).click()
    expect(overall).to_contain_text(re.compile(r"^\s*1 of \d+ steps done"))
    expect(first_card.locator("li.checklist-item").first.locator("label")).to_have_text(first_text)  # back on the list


def test_contractor_enrolls_in_monitoring_on_a_phone(page, app, contractor):
    offer_monitoring(app, "KR-7Q4M-2XD9", "KR-8ABC-3DEF")
    sign_in_contractor(page, contractor)
    page.get_by_role("link", name="Enroll in monitoring").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Identity monitoring")
    expect(page.get_by_role("heading", level=2)).to_have_text("Identity Defense")
    check_page(page)

    page.get_by_role("link", name="Enroll in Identity Defense").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your answers before you get your code")
    check_page(page)

    page.get_by_role("button", name="Accept and get my code").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("There is a problem")
    expect(summary.get_by_role("link", name="Tick the box to confirm you want an activation code")).to_be_visible()
    consent = page.get_by_label(re.compile("I agree to get an activation code"))
    expect(consent).to_have_attribute("aria-invalid", "true")
    check_page(page)

    consent.check()
    page.get_by_role("button", name="Accept and get my code").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your activation code")
    expect(page.locator(".activation-code")).to_have_text("KR-7Q4M-2XD9")
    expect(page.get_by_role("link", name="https://enroll.example-provider.test/kroll")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Do this by December 31, 2099.")
    expect(page.locator("main")).to_contain_text("We have also emailed this code to you.")
    check_page(page)

    page.get_by_role("link", name="Back to your information").click()
    next_steps = page.get_by_role("list", name="What else you can do")
    expect(next_steps).to_contain_text("You are enrolled. See your activation code.")
    with app.app_context():
        [mail] = outbox(MailKind.MONITORING_CODE)
        assert "KR-7Q4M-2XD9" in mail.body_text


def test_an_empty_pool_shows_the_waiting_list_page(page, app, contractor):
    offer_monitoring(app)
    sign_in_contractor(page, contractor)
    page.get_by_role("link", name="Enroll in monitoring").click()
    page.get_by_role("link", name="Enroll in Identity Defense").click()
    page.get_by_label(re.compile("I agree to get an activation code")).check()
    page.get_by_role("button", name="Accept and get my code").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("You are on the waiting list")
    check_page(page)
    page.get_by_role("link", name="Back to your information").click()
    page.get_by_role("link", name="Enroll in monitoring").click()
    expect(page.locator("main")).to_contain_text("You are on the waiting list.")
    check_page(page)


def test_after_the_deadline_the_closed_pages_explain(page, app, contractor):
    offer_monitoring(app, "KR-1", deadline=date(2020, 1, 1))
    sign_in_contractor(page, contractor)
    page.get_by_role("link", name="Enroll in monitoring").click()
    expect(page.locator(".notice-error")).to_contain_text("Enrollment has closed.")
    check_page(page)


def test_contractor_subscribes_then_unsubscribes_from_the_email_link(page, app, contractor, browser):
    sign_in_contractor(page, contractor)
    page.get_by_role("link", name="Get updates").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Get updates")
    check_page(page)
    page.get_by_role("button", name="Email me updates").click()
    expect(page.get_by_role("status")).to_contain_text("You will get updates about this incident by email.")
    check_page(page)

    with app.app_context():
        [mail] = outbox(MailKind.UPDATES_SUBSCRIBED)
        path = re.search(r"(/updates/unsubscribe/\S+)", mail.body_text).group(1)
    # Straight from the email, in a browser that never signed in, with the real CSP this time.
    context = browser.new_context(viewport={"width": 360, "height": 740}, bypass_csp=True, **HTTPS)
    stranger = context.new_page()
    stranger.goto(page.url.split("/my")[0] + path)
    expect(stranger.get_by_role("heading", level=1)).to_contain_text("Stop updates about")
    check_page(stranger)
    stranger.get_by_role("button", name="Stop updates").click()
    expect(stranger.get_by_role("heading", level=1)).to_have_text("Updates stopped")
    check_page(stranger)
    stranger.goto(page.url.split("/my")[0] + path)
    expect(stranger.get_by_role("heading", level=1)).to_have_text("This link does not work")
    check_page(stranger)
    context.close()


def sign_in_admin(page: Page, app) -> None:
    email = "monitoring-admin@staff.example.org"
    with app.app_context():
        _user, secret = create_staff_user(email, Role.ADMIN, PASSWORD)
    page.goto("/staff/sign-in")
    page.get_by_label("Email address", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Security code", exact=True).fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Staff area")


def test_admin_configures_a_product_imports_codes_and_posts_an_update(desktop_page, app, contractor):
    page = desktop_page
    sign_in_admin(page, app)
    page.get_by_role("navigation", name="Staff area").get_by_role("link", name="Monitoring", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Monitoring")
    assert_no_axe_violations(page)

    page.get_by_role("link", name=re.compile("^Add a product")).click()
    page.get_by_role("button", name="Save product").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter the product name")
    assert_no_axe_violations(page)
    page.get_by_label("Product name", exact=True).fill("Identity Defense")
    page.get_by_label("Provider", exact=True).fill("Kroll")
    page.get_by_label("Months of monitoring", exact=True).fill("24")
    page.get_by_label("Enrollment address", exact=True).fill("https://enroll.kroll.example/portal")
    page.get_by_label("Warn when fewer codes than this are left", exact=True).fill("10")
    page.get_by_role("button", name="Save product").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import activation codes")
    assert_no_axe_violations(page)

    page.get_by_label("Activation codes file (CSV)").set_input_files(
        files=[{"name": "codes.csv", "mimeType": "text/csv", "buffer": b"code\nA-1\nA-2\nA-1\n"}]
    )
    page.get_by_role("button", name="Import codes").click()
    expect(page.get_by_role("alert")).to_contain_text("Line 4: the same code as line 2.")
    assert_no_axe_violations(page)
    page.get_by_label("Activation codes file (CSV)").set_input_files(
        files=[{"name": "codes.csv", "mimeType": "text/csv", "buffer": b"code\nA-1\nA-2\nA-3\n"}]
    )
    page.get_by_role("button", name="Import codes").click()
    expect(page.get_by_role("status")).to_contain_text("Imported 3 codes.")
    warnings = page.get_by_role("region", name="Pools that need codes")
    expect(warnings).to_contain_text("Identity Defense has 3 codes left")
    assert_no_axe_violations(page)

    page.get_by_role("navigation", name="Staff area").get_by_role("link", name="Incident updates", exact=True).click()
    assert_no_axe_violations(page)
    page.get_by_role("link", name="Post an update").click()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter a title")
    assert_no_axe_violations(page)
    page.get_by_label("Title", exact=True).fill("Monitoring is open")
    page.get_by_label("Update", exact=True).fill("You can now **enroll** in monitoring.\n\nSee your page.")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check the update before you publish it")
    assert_no_axe_violations(page)
    page.get_by_role("button", name=re.compile("^Publish and email")).click()
    expect(page.get_by_role("status")).to_contain_text("Update published.")

    page.goto("/")
    expect(page.locator("main")).to_contain_text("Monitoring is open")
    assert_no_axe_violations(page)

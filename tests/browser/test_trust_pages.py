"""The trust pages on a 360 px phone, with JavaScript off (everything is plain forms) and axe-core on
each state: the check page blank, with each answer, with errors; the report form and its thanks."""

import pytest
from playwright.sync_api import Browser, Page

from tests.browser.a11y import assert_fits_phone, assert_no_axe_violations
from tests.browser.test_contractor_flow import fill_date
from tests.factories import give_notice_code, make_incident, make_person

pytestmark = pytest.mark.browser


@pytest.fixture
def no_js_page(browser: Browser, browser_context_args) -> Page:
    context = browser.new_context(**{**browser_context_args, "java_script_enabled": False})
    yield context.new_page()
    context.close()


@pytest.fixture
def organisation(app, monkeypatch):
    monkeypatch.setitem(app.config, "ORGANISATION_LEGAL_NAME", "Example Org Ltd")
    monkeypatch.setitem(app.config, "ORGANISATION_SENDER_DOMAINS", "example-org.test")
    monkeypatch.setitem(
        app.config, "ORGANISATION_PHONES", "KE | +254 20 765 4321 | Mon-Fri 8-18\n| +44 20 7946 0000 | 24 hours"
    )


def test_a_contractor_checks_a_sender_and_a_code_without_javascript(no_js_page, organisation, app):
    page = no_js_page
    with app.app_context():
        code = give_notice_code(make_person("C-77"), make_incident())
    page.goto("/")
    page.get_by_role("link", name="Is this message from us? Check it here").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Is this message from us?"
    assert_fits_phone(page)

    page.get_by_label("Sender address, link or phone number").fill("https://examp1e-org.test/claim-your-money")
    page.get_by_role("button", name="Check", exact=True).click()
    assert "This is an imitation" in page.content()
    assert_fits_phone(page)

    page.get_by_label("Notice code").fill(code)
    page.get_by_role("button", name="Check the code").click()
    assert "We issued this code, and it is still valid." in page.content()
    assert_fits_phone(page)

    page.get_by_role("link", name="Report a suspicious message").click()
    page.get_by_label("Email", exact=True).check()
    page.get_by_label("Who was it from?").fill("claims@examp1e-org.test")
    fill_date(page, "When did it arrive?", "2026-11-30")
    page.get_by_label("What did it say?").fill("Pay a fee of 20 USD to receive your compensation today.")
    page.get_by_role("button", name="Send the report").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Thank you for your report"
    assert_fits_phone(page)


@pytest.mark.parametrize("state", ["blank", "imitation", "ours", "unknown_code", "errors"])
def test_check_page_passes_axe(page: Page, organisation, state):
    page.goto("/is-this-from-us")
    if state in ("imitation", "ours"):
        value = "https://examp1e-org.test" if state == "imitation" else "example-org.test"
        page.get_by_label("Sender address, link or phone number").fill(value)
        page.get_by_role("button", name="Check", exact=True).click()
    elif state == "unknown_code":
        page.get_by_label("Notice code").fill("AAAA-BBBB-CCCC")
        page.get_by_role("button", name="Check the code").click()
    elif state == "errors":
        page.get_by_role("button", name="Check the code").click()
    if state != "blank":
        page.wait_for_url("**/is-this-from-us/*")  # the answer page, not the page being left
    assert_fits_phone(page)
    assert_no_axe_violations(page)


def test_report_form_passes_axe_blank_and_with_errors(page: Page, organisation):
    page.goto("/report-suspicious")
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Send the report").click()
    assert "There is a problem" in page.content()
    assert_fits_phone(page)
    assert_no_axe_violations(page)


def test_a_person_without_email_asks_for_a_letter_without_javascript(no_js_page, organisation, app):
    page = no_js_page
    with app.app_context():
        make_person("C-88", first_name="Amina", last_name="Okafor", date_of_birth="1990-03-27")
    page.goto("/lost-code")
    assert_fits_phone(page)
    assert "+44 20 7946 0000" in page.content()
    page.get_by_role("link", name="Get a new code by post").click()
    page.get_by_label("First name").fill("Amina")
    page.get_by_label("Last name").fill("Okafor")
    fill_date(page, "Date of birth", "1990-03-27")
    page.get_by_label("Postal code").fill("00100")
    page.get_by_label("Country").select_option("KE")
    page.get_by_role("button", name="Post me a new code").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Your request is received"
    assert "+254 20 765 4321" in page.content()
    assert_fits_phone(page)
    with app.app_context():
        from portal.extensions import db
        from portal.models import LetterRequest

        assert db.session.query(LetterRequest).count() == 1


@pytest.mark.parametrize("path", ["/lost-code", "/lost-code/by-post", "/lost-code/by-post/sent"])
def test_lost_code_pages_pass_axe(page: Page, organisation, path):
    page.goto(path)
    assert_fits_phone(page)
    assert_no_axe_violations(page)
    if path == "/lost-code/by-post":
        page.get_by_role("button", name="Post me a new code").click()
        assert "There is a problem" in page.content()
        assert_fits_phone(page)
        assert_no_axe_violations(page)


def test_staff_trust_pages_pass_axe(desktop_page, organisation, app):
    from portal.constants import Role
    from tests.browser.test_staff_pages import sign_in

    page = desktop_page
    page.goto("/report-suspicious")
    page.get_by_label("Email", exact=True).check()
    page.get_by_label("Who was it from?").fill("claims@examp1e-org.test")
    page.get_by_role("button", name="Send the report").click()
    sign_in(page, app, Role.ADMIN)
    for path in ("/staff/suspicious-reports", "/staff/organisation", "/staff/letter-requests"):
        page.goto(path)
        assert_no_axe_violations(page)
    page.goto("/staff/suspicious-reports")
    page.get_by_role("link", name="examp1e-org.test").click()
    assert "Publish a warning" in page.content()
    assert_no_axe_violations(page)

"""The staff area in a desktop browser: real two-step sign-in, and axe-core on each page."""

import re

import pyotp
import pytest
from flask_babel import force_locale, gettext
from playwright.sync_api import Page, expect

from portal.constants import MailKind, Role
from portal.extensions import db
from portal.mail import Message, send_message
from portal.staff.service import create_staff_user
from tests.browser.a11y import assert_no_axe_violations
from tests.browser.test_contractor_flow import fill_check_form
from tests.factories import expose, give_notice_code, make_incident, make_person
from tests.imports.registers import CODE_AMINA, person, write_exposures, write_people

pytestmark = pytest.mark.browser

PASSWORD = "a long staff password for the browser"


def create_staff(app, role: Role) -> tuple[str, str]:
    with app.app_context():
        user, secret = create_staff_user(f"{role}@staff.example.org", role, PASSWORD)
        return user.email, secret


def submit_password(page: Page, email: str, password: str) -> None:
    page.get_by_label("Email address", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Continue").click()


def sign_in(page: Page, app, role: Role) -> str:
    """Sign a new staff member with ``role`` in through both steps; returns their email address."""
    email, secret = create_staff(app, role)
    page.goto("/staff/sign-in")
    submit_password(page, email, PASSWORD)
    page.get_by_label("Security code", exact=True).fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Staff area")
    return email


def test_staff_sign_in_pages_pass_axe_in_every_state(desktop_page, app):
    page = desktop_page
    email, secret = create_staff(app, Role.ADMIN)
    page.goto("/staff/sign-in")
    expect(page.get_by_role("heading", level=1)).to_have_text("Staff sign in")
    assert_no_axe_violations(page)

    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter your email address")
    assert_no_axe_violations(page)

    submit_password(page, email, "not the password at all")
    expect(page.get_by_role("alert")).to_contain_text("We could not sign you in")
    assert_no_axe_violations(page)

    submit_password(page, email, PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your security code")
    assert_no_axe_violations(page)

    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter the 6-digit code from your authenticator app")
    assert_no_axe_violations(page)

    page.get_by_label("Security code", exact=True).fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Staff area")
    expect(page.get_by_role("navigation", name="Staff area")).to_contain_text(email)
    assert_no_axe_violations(page)

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Staff sign in")
    page.goto("/staff/")
    expect(page).to_have_url(re.compile(r"/staff/sign-in"))


def test_support_finds_a_person_and_their_record_passes_axe(desktop_page, app):
    with app.app_context():
        incident = make_incident()
        person = make_person("C-00123", first_name="Amina", last_name="Okafor")
        expose(person, incident, "payment", "Bank account ending 4410")
        give_notice_code(person, incident)
    page = desktop_page
    sign_in(page, app, Role.SUPPORT)

    page.get_by_role("navigation", name="Staff area").get_by_role("link", name="Find a person").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Find a person")
    assert_no_axe_violations(page)

    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter a contractor ID or an email address")
    assert_no_axe_violations(page)

    page.get_by_label("Contractor ID or email address", exact=True).fill("C-00123")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("table")).to_contain_text("Amina Okafor")
    assert_no_axe_violations(page)

    page.get_by_role("link", name="C-00123").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Amina Okafor")
    expect(page.locator("main")).to_contain_text("Bank account ending 4410")
    assert_no_axe_violations(page)


def test_outbox_and_audit_log_pass_axe(desktop_page, app):
    with app.app_context():
        send_message(
            Message(
                kind=MailKind.NOTICE_CODE_REISSUE,
                to_address="amina@example.org",
                subject="Your new notice code for the Exposure Portal",
                body_text="Your new notice code is: 7KQ4-M2XD-9TRA",
                body_html="<p>Your new notice code is: <strong>7KQ4-M2XD-9TRA</strong></p>",
            )
        )
        db.session.commit()
    page = desktop_page
    sign_in(page, app, Role.ADMIN)

    page.get_by_role("navigation", name="Staff area").get_by_role("link", name="Outbox").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Outbox")
    assert_no_axe_violations(page)

    page.get_by_role("link", name="Your new notice code for the Exposure Portal").click()
    expect(page.locator("pre.mail")).to_contain_text("Your new notice code is: ••••-••••-••••")  # masked
    expect(page.locator("main")).not_to_contain_text("7KQ4-M2XD-9TRA")
    assert_no_axe_violations(page)

    page.get_by_role("navigation", name="Staff area").get_by_role("link", name="Audit log").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Audit log")
    assert_no_axe_violations(page)


def test_incident_pages_pass_axe(desktop_page, app):
    page = desktop_page
    sign_in(page, app, Role.ADMIN)
    page.get_by_role("navigation", name="Staff area").get_by_role("link", name="Incidents").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Incidents")
    assert_no_axe_violations(page)

    page.goto("/staff/incidents/new")
    assert_no_axe_violations(page)
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".error-summary")).to_be_visible()
    assert_no_axe_violations(page)


def test_admin_imports_a_register_and_the_imported_person_can_check_in(desktop_page, page, app, tmp_path):
    with app.app_context():
        make_incident()
    admin = desktop_page
    sign_in(admin, app, Role.ADMIN)
    admin.goto("/staff/import/")
    expect(admin.get_by_role("heading", level=1)).to_have_text("Import the register")
    assert_no_axe_violations(admin)

    bad = write_people(tmp_path / "bad.csv", [person("C-1", country="XX"), person("C-2", country="XX")])
    admin.get_by_label("People file (people.csv)", exact=True).set_input_files(bad)
    admin.get_by_role("button", name="Import").click()
    summary = admin.get_by_role("alert")
    expect(summary).to_contain_text("The files have 2 problems. Nothing was imported.")
    expect(summary.get_by_role("link").first).to_contain_text("people.csv line 2: country")
    assert_no_axe_violations(admin)

    people = write_people(tmp_path / "people.csv", [person("C-1", notice_code=CODE_AMINA)])
    exposures = write_exposures(tmp_path / "exposures.csv", [("C-1", "payment", "Payout account ending 7781", "")])
    admin.get_by_label("People file (people.csv)", exact=True).set_input_files(people)
    admin.get_by_label("Exposures file (exposures.csv)", exact=True).set_input_files(exposures)
    admin.get_by_role("button", name="Import").click()
    expect(admin.get_by_role("heading", level=1)).to_have_text("Register imported")
    assert_no_axe_violations(admin)

    # The contractor, on their phone, with the code printed in their notice.
    page.goto("/check")
    fill_check_form(page, CODE_AMINA, "Okafor", "1990-03-27")
    # The register row's preferred language is Swahili: after the check, that is the page's.
    expect(page.locator("html")).to_have_attribute("lang", "sw")
    with app.test_request_context(), force_locale("sw"):
        expect(page.locator("li.card h3")).to_have_text([gettext("Bank and payout details")])
    expect(page.locator("li.card")).to_contain_text("Payout account ending 7781")

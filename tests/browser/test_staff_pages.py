"""The staff area in a desktop browser: real two-step sign-in, and axe-core on each page."""

import re

import pyotp
import pytest
from playwright.sync_api import Page, expect

from portal.constants import MailKind, Role
from portal.extensions import db
from portal.mail import Message, send_message
from portal.staff.service import create_staff_user
from tests.browser.a11y import assert_no_axe_violations
from tests.factories import expose, give_notice_code, make_incident, make_person

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
    expect(page.locator("pre.mail")).to_contain_text("7KQ4-M2XD-9TRA")
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

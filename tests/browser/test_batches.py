"""Two admins notify people end to end in a desktop browser, with axe-core on every template and batch page.

One admin writes a template and prepares a batch, previews it recipient by recipient and sends
themselves a test; a second admin, in their own browser session, checks and approves it; the
batch goes out through the outbox backend and its page reaches "Sent".
"""

import re
import uuid

import pyotp
import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from portal.constants import BatchStatus, MailKind, NotificationStatus, Role
from portal.extensions import db
from portal.models import Batch, Notification, OutboxMessage
from portal.staff.service import create_staff_user
from tests.batches.helpers import make_batch, make_template, notify
from tests.browser.a11y import assert_no_axe_violations
from tests.browser.conftest import DESKTOP, TIMEOUT_MS
from tests.factories import expose, make_incident, make_person

pytestmark = pytest.mark.browser

PASSWORD = "a long staff password for the batches test"


def sign_in_new_admin(page: Page, app) -> str:
    email = f"batch-admin-{uuid.uuid4().hex[:8]}@staff.example.org"
    with app.app_context():
        _user, secret = create_staff_user(email, Role.ADMIN, PASSWORD)
    page.goto("/staff/sign-in")
    page.get_by_label("Email address", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Security code", exact=True).fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Staff area")
    return email


def check(page: Page, heading: str | re.Pattern) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    assert_no_axe_violations(page)


@pytest.fixture
def kenyan_register(app):
    with app.app_context():
        incident = make_incident()
        for n, name in enumerate(("Amina", "Baraka", "Chausiku")):
            person = make_person(f"KE-{n}", first_name=name, country="KE")
            expose(person, incident, "payment", "Bank account ending 4410")
        expose(make_person("NG-1", first_name="Ngozi", country="NG"), incident, "video")
        return incident.title


@pytest.fixture
def second_page(browser, browser_context_args):
    """A second admin's own browser session (its own cookies)."""
    context = browser.new_context(**{**browser_context_args, **DESKTOP})
    context.set_default_timeout(TIMEOUT_MS)
    yield context.new_page()
    context.close()


def write_template(page: Page) -> None:
    page.goto("/staff/templates/")
    check(page, "Notice templates")
    page.get_by_role("link", name="Create a template").click()
    check(page, "Create a template")
    expect(page.get_by_label("Message (English)")).to_have_value(re.compile("## What happened"))
    page.get_by_label("Template name").fill("First notice")
    page.get_by_label("Message (English)").fill(
        page.get_by_label("Message (English)").input_value() + "\nYour colour: ((favourite_colour))\n"
    )
    page.get_by_role("button", name="Save template").click()
    expect(page.get_by_role("alert")).to_contain_text("unknown placeholder ((favourite_colour))")
    assert_no_axe_violations(page)
    body = page.get_by_label("Message (English)")
    body.fill(body.input_value().replace("\nYour colour: ((favourite_colour))\n", ""))
    page.get_by_role("button", name="Save template").click()
    check(page, "First notice")
    page.get_by_role("link", name="Preview English").click()
    check(page, re.compile("^Preview of version 1"))
    page.get_by_role("link", name="Back to First notice").click()
    page.get_by_role("link", name="Add Español").click()
    check(page, re.compile("^Add Español"))


def prepare_batch(page: Page) -> str:
    page.goto("/staff/batches/")
    check(page, "Batches")
    page.get_by_role("link", name="Create a batch").click()
    check(page, "Create a batch")
    page.get_by_label("Batch name").fill("Kenya, first notice")
    page.get_by_role("button", name="Continue").click()
    check(page, "Who should get it?")
    page.get_by_label("Countries (optional)").fill("KE")
    page.get_by_role("button", name="Save audience").click()
    check(page, "Kenya, first notice")
    expect(page.locator(".summary-list")).to_contain_text("Country: KE")
    expect(page.locator(".summary-list")).to_contain_text("3")
    batch_url = page.url

    page.get_by_role("link", name="Preview the notice for each recipient").first.click()
    check(page, re.compile("^Preview the notice"))
    expect(page.get_by_text("Recipient 1 of 3")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Notice of data breach")
    page.get_by_role("link", name="Next recipient").click()
    expect(page.get_by_text("Recipient 2 of 3")).to_be_visible()
    expect(page.locator(".mail-html")).to_contain_text("Baraka")
    page.get_by_role("button", name="Send this to me as a test").click()
    expect(page.get_by_role("status").first).to_contain_text("A test was sent to")
    page.goto(batch_url + "/approve")
    check(page, "You cannot do that")
    expect(page.locator("main")).to_contain_text("a different admin must approve it")
    return batch_url


def test_two_admins_prepare_approve_and_send_a_batch_through_the_outbox(
    desktop_page, second_page, app, kenyan_register
):
    creator = desktop_page
    creator_email = sign_in_new_admin(creator, app)
    write_template(creator)
    batch_url = prepare_batch(creator)

    approver = second_page
    sign_in_new_admin(approver, app)
    approver.goto(batch_url)
    check(approver, "Kenya, first notice")
    approver.get_by_role("link", name="Check and approve").click()
    check(approver, "Check before you approve")
    expect(approver.locator("main")).to_contain_text("3 people")
    approver.get_by_role("button", name="Approve and send").click()

    check(approver, "Kenya, first notice")
    expect(approver.locator("[data-batch-status]")).to_have_text("Sent")
    expect(approver.locator('[data-outcome="queued"] [data-count]')).to_have_text("0")
    assert_no_axe_violations(approver)

    creator.goto(batch_url)
    expect(creator.locator("[data-batch-status]")).to_have_text("Sent")
    history = creator.locator("table", has_text="What happened to this batch")
    expect(history).to_contain_text(creator_email)
    with app.app_context():
        mails = db.session.scalars(select(OutboxMessage)).all()
        notices = sorted(m.subject for m in mails if m.kind != MailKind.BATCH_TEST)
        tests = [m for m in mails if m.kind == MailKind.BATCH_TEST]
    assert len(notices) == 3 and all("Notice of data breach" in s for s in notices)
    assert [m.to_address for m in tests] == [creator_email] and tests[0].subject.startswith("[TEST] ")


def test_the_batch_page_follows_progress_without_reloading(desktop_page, app):
    page = desktop_page
    sign_in_new_admin(page, app)
    with app.app_context():
        incident = make_incident()
        creator, _secret = create_staff_user(f"creator-{uuid.uuid4().hex[:8]}@staff.example.org", Role.ADMIN, PASSWORD)
        batch = make_batch(incident, make_template(incident), creator, status=BatchStatus.SENDING, name="Live")
        for n in range(4):
            notify(batch, make_person(f"LIVE-{n}"), NotificationStatus.QUEUED)
        batch_id = batch.id

    page.goto(f"/staff/batches/{batch_id}")
    check(page, "Live")
    expect(page.locator("[data-batch-status]")).to_have_text("Sending")
    expect(page.locator('[data-outcome="queued"] [data-count]')).to_have_text("4")
    page.evaluate("window.notReloaded = true")

    with app.app_context():
        for row in db.session.scalars(select(Notification).where(Notification.batch_id == batch_id)):
            row.status = NotificationStatus.DELIVERED
        db.session.get(Batch, batch_id).status = BatchStatus.SENT
        db.session.commit()

    expect(page.locator("[data-batch-status]")).to_have_text("Sent")
    expect(page.locator('[data-outcome="delivered"] [data-count]')).to_have_text("4")
    expect(page.locator('[data-outcome="delivered"] .bar-fill')).to_have_class(re.compile(r"\bbar-w-100\b"))
    expect(page.locator('[data-outcome="queued"] [data-count]')).to_have_text("0")
    assert page.evaluate("window.notReloaded === true")
    assert page.locator("progress").evaluate("bar => [bar.value, bar.max]") == [4, 4]


def test_the_other_batch_pages_pass_axe(desktop_page, app, tmp_path):
    page = desktop_page
    sign_in_new_admin(page, app)
    with app.app_context():
        incident = make_incident()
        creator, _secret = create_staff_user(f"creator-{uuid.uuid4().hex[:8]}@staff.example.org", Role.ADMIN, PASSWORD)
        version = make_template(incident)
        draft = make_batch(incident, version, creator, name="Draft")
        sent = make_batch(incident, version, creator, status=BatchStatus.SENT, name="Sent")
        approved = make_batch(incident, version, creator, status=BatchStatus.APPROVED, name="Approved")
        for n, status in enumerate((NotificationStatus.FAILED, NotificationStatus.UNKNOWN, NotificationStatus.BOUNCED)):
            person = make_person(f"AXE-{n}")
            expose(person, incident, "payment")
            notify(sent, person, status, last_error="550 no such user")
        notify(approved, make_person("AXE-Q"), NotificationStatus.QUEUED)
        ids = draft.id, sent.id, approved.id
    draft_id, sent_id, approved_id = ids

    page.goto(f"/staff/batches/{draft_id}/audience/upload")
    check(page, "Upload a list of contractor IDs")
    ids_file = tmp_path / "ids.csv"
    ids_file.write_text("contractor_id\nAXE-0\nNOBODY\n")
    page.get_by_label("CSV file of contractor IDs").set_input_files(str(ids_file))
    page.get_by_role("button", name="Upload and save").click()
    expect(page.locator("main")).to_contain_text("Line 3: there is no contractor with ID NOBODY")
    assert_no_axe_violations(page)

    page.goto(f"/staff/batches/{draft_id}/schedule")
    check(page, "When should it be sent?")
    page.get_by_label("At a set time").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter the date and time to send")
    assert_no_axe_violations(page)

    for url, heading in (
        (f"/staff/batches/{draft_id}/cancel", "Are you sure you want to cancel this batch?"),
        (f"/staff/batches/{sent_id}", "Sent"),
        (f"/staff/batches/{sent_id}/retry", "Retry the failed notifications?"),
        (f"/staff/batches/{sent_id}/unknown/resend", "Resend these notifications?"),
        (f"/staff/batches/{sent_id}/unknown/mark_sent", "Mark these notifications as sent?"),
        (f"/staff/batches/{approved_id}/start", "Start sending this batch?"),
    ):
        page.goto(url)
        check(page, heading)

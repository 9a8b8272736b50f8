"""The production system test: the portal run as docs/deployment.md says, driven by Chromium over HTTPS.

``PORTAL_ENV=production`` under gunicorn (2 workers, TLS served by gunicorn itself), PostgreSQL,
Redis for rate limits and sessions, a Celery worker on a Redis broker, and the fake SendGrid. A
contractor on a phone verifies and files a claim with a proof upload; one admin prepares a batch,
a second admin approves and sends it, the Celery worker posts it, and the fake SendGrid gets it;
the second admin signs out, and a copy of their cookie taken before opens nothing.
CSRF, the referrer policy, the strict CSP and Secure cookies are all the production ones.
"""

import subprocess
import time
from pathlib import Path

import pyotp
import pytest
import redis
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from portal.claims import proof_files
from portal.constants import ClaimStatus, Role
from portal.extensions import db
from portal.models import Claim, ClaimDocument
from portal.staff.service import create_staff_user
from tests.batches.helpers import make_template
from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.test_contractor_flow import fill_check_form, fill_date
from tests.claims.support import pdf_bytes
from tests.factories import STAFF_PASSWORD, expose, give_notice_code, make_incident, make_person
from tests.production.conftest import BROKER_REDIS, REPO, VENV_BIN, needs_postgres, stop

pytestmark = [*needs_postgres, pytest.mark.browser]

TIMEOUT_MS = 20_000
SENT_TIMEOUT_MS = 60_000  # the Celery worker picks the batch up, posts it, and the page polls


@pytest.fixture
def celery_worker(production_server, tmp_path) -> subprocess.Popen:
    """One worker, started the way tests/sending/test_processes.py starts one, with the server's environment."""
    broker = redis.Redis.from_url(BROKER_REDIS)
    broker.flushdb()
    log = tmp_path / "worker.log"
    worker = subprocess.Popen(
        [
            str(VENV_BIN / "celery"),
            "-A",
            "portal.background.celery_app",
            "worker",
            "--concurrency=1",
            "--pool=prefork",
            "--loglevel=INFO",
            f"--logfile={log}",
            "--hostname=test-production@%h",
            "--without-mingle",
            "--without-gossip",
        ],
        cwd=REPO,
        env=production_server.env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    worker.log = log
    yield worker
    stop(worker)
    broker.flushdb()
    broker.close()


def new_page(browser: Browser, base_url: str, device: dict) -> Page:
    context = browser.new_context(base_url=base_url, ignore_https_errors=True, **device)
    context.set_default_timeout(TIMEOUT_MS)
    return context.new_page()


def sign_in(page: Page, email: str, secret: str) -> None:
    page.goto("/staff/sign-in")
    page.get_by_label("Email address", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Security code", exact=True).fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Staff area")


def file_claim(page: Page) -> None:
    """The shortest claim with proof: one out-of-pocket loss with a PDF receipt, paid by bank transfer."""
    page.get_by_role("link", name="File a claim").first.click()
    page.get_by_role("button", name="Start your claim").click()
    page.get_by_label("Money you lost because of the breach").check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Amount").fill("85.50")
    fill_date(page, "Date of the loss", "2026-06-02")
    page.get_by_label("What was the loss?").fill("Fee to replace my national ID card")
    page.get_by_label("Proof of the loss").set_input_files(
        {"name": "receipt.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes()}
    )
    page.get_by_role("button", name="Save this loss").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your losses")
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Bank transfer").check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Name of the account holder").fill("Amina Okafor")
    page.get_by_label("IBAN or account number").fill("DE89 3704 0044 0532 0130 00")
    page.get_by_label("Name of the bank").fill("Commerzbank")
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Your full name").fill("Amina Okafor")
    page.get_by_label("I confirm that the information I have given is true and complete").check()
    page.get_by_role("button", name="Submit claim").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Claim sent")


def prepare_batch(page: Page) -> str:
    page.goto("/staff/batches/")
    page.get_by_role("link", name="Create a batch").click()
    page.get_by_label("Batch name").fill("Kenya, first notice")
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Countries (optional)").fill("KE")
    page.get_by_role("button", name="Save audience").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Kenya, first notice")
    return page.url


def test_production_over_https_verify_claim_and_two_admins_send_a_batch(
    production_server, fresh_limits, celery_worker, fake_sendgrid, browser, app_ctx
):
    started = time.monotonic()
    incident = make_incident()
    person = make_person("KE-PROD", first_name="Amina", country="KE", email="amina.okafor@example.org")
    expose(person, incident, "payment", "Bank account ending 4410")
    code = give_notice_code(person, incident)
    make_template(incident)
    creator, creator_secret = create_staff_user("creator@example.org", Role.ADMIN, STAFF_PASSWORD)
    approver, approver_secret = create_staff_user("approver@example.org", Role.ADMIN, STAFF_PASSWORD)
    url = production_server.url

    contractor = new_page(browser, url, PHONE)
    contractor.goto("/check")
    fill_check_form(contractor, code, "Okafor", "1990-03-27")
    expect(contractor.get_by_role("heading", level=1)).to_have_text("Your information, Amina")
    file_claim(contractor)
    cookie = next(c for c in contractor.context.cookies() if c["name"] == "session")
    assert cookie["secure"] and cookie["httpOnly"] and cookie["sameSite"] == "Lax"

    first = new_page(browser, url, DESKTOP)
    sign_in(first, creator.email, creator_secret)
    batch_url = prepare_batch(first)

    second = new_page(browser, url, DESKTOP)
    sign_in(second, approver.email, approver_secret)
    second.goto(batch_url)
    second.get_by_role("link", name="Check and approve").click()
    expect(second.get_by_role("heading", level=1)).to_have_text("Check before you approve")
    second.get_by_role("button", name="Approve and send").click()
    expect(second.locator("[data-batch-status]")).to_have_text("Sent", timeout=SENT_TIMEOUT_MS)

    # Signing out ends the session in Redis: a copy of the cookie taken before opens nothing after.
    copied = second.context.cookies()
    second.get_by_role("button", name="Sign out").click()
    expect(second.get_by_role("heading", level=1)).to_have_text("Staff sign in")
    thief = new_page(browser, url, DESKTOP)
    thief.context.add_cookies(copied)
    thief.goto(batch_url)
    expect(thief.get_by_role("heading", level=1)).to_have_text("Staff sign in")

    # The batch's notice; the claim's receipt went out through SendGrid too, one mail of its own.
    notices = [r for r in fake_sendgrid.requests if r.payload["subject"].startswith("Notice of data breach")]
    assert [r.status for r in notices] == [202], (fake_sendgrid.requests, Path(celery_worker.log).read_text())
    recipients = [p["to"][0]["email"] for p in notices[0].payload["personalizations"]]
    assert recipients == ["amina.okafor@example.org"]
    db.session.expire_all()
    claim = db.session.scalar(select(Claim).where(Claim.person_id == person.id))
    assert claim.status == ClaimStatus.SUBMITTED
    proof = db.session.scalar(select(ClaimDocument).where(ClaimDocument.claim_id == claim.id))
    stored = (Path(production_server.env["UPLOAD_FOLDER"]) / proof.stored_name).read_bytes()
    assert stored.startswith(proof_files.MAGIC) and b"%PDF" not in stored  # sealed at rest, not the PDF itself
    for page in (contractor, first, second, thief):
        page.context.close()
    print(f"production system test: {time.monotonic() - started:.1f} s after the server was up")

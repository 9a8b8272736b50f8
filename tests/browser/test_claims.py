"""A contractor on a 360 px phone files a claim with a proof upload and sees its status; legal approves it.

axe-core runs on every page of both flows, blank and with the form errors shown.
"""

import re

import pytest
from playwright.sync_api import Page, expect

from portal.constants import Role
from tests.browser.a11y import assert_fits_phone, assert_no_axe_violations
from tests.browser.test_contractor_flow import fill_check_form, fill_date
from tests.browser.test_staff_pages import sign_in
from tests.claims.support import pdf_bytes

pytestmark = pytest.mark.browser


def check_page(page: Page, phone: bool = True) -> None:
    assert_no_axe_violations(page)
    if phone:
        assert_fits_phone(page)


def submit_blank_and_check_errors(page: Page, button: str, message: str) -> None:
    page.get_by_role("button", name=button).click()
    summary = page.locator(".error-summary")
    expect(summary).to_contain_text("There is a problem")
    expect(summary.get_by_role("link", name=message)).to_be_visible()
    check_page(page)


def test_contractor_files_a_claim_with_proof_and_legal_approves_it(page, desktop_page, app, contractor):
    page.goto("/check")
    fill_check_form(page, contractor.code, contractor.last_name, contractor.date_of_birth)
    page.get_by_role("link", name="File a claim").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("File a claim")
    check_page(page)
    page.get_by_role("button", name="Start your claim").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("What do you want to claim?")
    check_page(page)
    submit_blank_and_check_errors(page, "Continue", "Select what you want to claim")
    page.get_by_label("Money you lost because of the breach").check()
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Add a loss")
    check_page(page)
    submit_blank_and_check_errors(page, "Save this loss", "Enter the amount you lost")
    page.get_by_label("Amount").fill("85.50")
    fill_date(page, "Date of the loss", "2026-06-02")
    page.get_by_label("What was the loss?").fill("Fee to replace my national ID card")
    page.get_by_label("Proof of the loss").set_input_files(
        {"name": "receipt.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes()}
    )
    page.get_by_role("button", name="Save this loss").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Your losses")
    expect(page.locator("main")).to_contain_text("$85.50")
    check_page(page)
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("How do you want to be paid?")
    check_page(page)
    submit_blank_and_check_errors(page, "Continue", "Select how you want to be paid")
    page.get_by_label("Bank transfer").check()
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Your payment details")
    check_page(page)
    submit_blank_and_check_errors(page, "Continue", "Enter the name of the account holder")
    page.get_by_label("Name of the account holder").fill("Amina Okafor")
    page.get_by_label("IBAN or account number").fill("DE89 3704 0044 0532 0130 00")
    page.get_by_label("Name of the bank").fill("Commerzbank")
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Check your answers before sending your claim")
    expect(page.locator("main")).to_contain_text("•••• 3000")
    expect(page.locator("main")).not_to_contain_text("0532")
    check_page(page)
    submit_blank_and_check_errors(page, "Submit claim", "Enter your full name")
    page.get_by_label("Your full name").fill("Amina Okafor")
    page.get_by_label("I confirm that the information I have given is true and complete").check()
    page.get_by_role("button", name="Submit claim").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Claim sent")
    reference = page.locator(".reference").inner_text()
    assert re.fullmatch(r"[0-9A-Z]{5}-[0-9A-Z]{5}", reference)
    check_page(page)
    page.get_by_role("link", name="See the status of your claim").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Your claim {reference}")
    expect(page.locator(".status-tag")).to_have_text("Received: waiting for review")
    expect(page.locator(".timeline")).to_contain_text("You sent your claim")
    check_page(page)
    page.get_by_role("link", name="All your claims").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Claim status")
    check_page(page)

    # Legal, at a desk, finds it in the queue, opens it, looks at the payment details and approves it.
    staff = desktop_page
    sign_in(staff, app, Role.LEGAL)
    staff.goto("/staff/claims/")
    expect(staff.get_by_role("heading", level=1)).to_have_text("Claims")
    check_page(staff, phone=False)
    staff.get_by_label("Claim reference").fill("ZZZZZ-ZZZZZ")
    staff.get_by_role("button", name="Show claims").click()
    expect(staff.locator("main")).to_contain_text("No claim has that reference")
    check_page(staff, phone=False)
    staff.goto("/staff/claims/")
    staff.get_by_role("link", name=reference).click()
    expect(staff.get_by_role("heading", level=1)).to_have_text(f"Claim {reference}")
    check_page(staff, phone=False)
    staff.get_by_role("link", name="Show the full payment details (this is audited)").click()
    expect(staff.locator("main")).to_contain_text("DE89 3704 0044 0532 0130 00")
    check_page(staff, phone=False)
    staff.get_by_role("link", name="Back to the claim").click()
    staff.get_by_role("link", name="Deny").click()
    check_page(staff, phone=False)
    staff.get_by_role("button", name="Deny the claim").click()
    expect(staff.locator(".error-summary")).to_contain_text("Enter the reason. The claimant will read it")
    check_page(staff, phone=False)
    staff.get_by_role("link", name="Back to the claim").click()
    staff.get_by_role("button", name="Approve").click()
    expect(staff.get_by_role("status")).to_contain_text("Claim approved")
    expect(staff.locator(".status-tag").first).to_have_text("Approved, not yet paid")
    check_page(staff, phone=False)

    page.reload()
    expect(page.locator(".status-tag")).to_have_text("Approved: payment is being arranged")


def test_the_request_for_information_pages_pass_axe(page, desktop_page, app, contractor):
    """Legal asks for more; the claimant answers on a phone (with an error first), then withdraws the claim."""
    page.goto("/check")
    fill_check_form(page, contractor.code, contractor.last_name, contractor.date_of_birth)
    page.get_by_role("link", name="File a claim").first.click()
    page.get_by_role("button", name="Start your claim").click()
    page.get_by_label("Identity monitoring instead of cash").check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Your full name").fill("Amina Okafor")
    page.get_by_label("I confirm that the information I have given is true and complete").check()
    page.get_by_role("button", name="Submit claim").click()
    reference = page.locator(".reference").inner_text()

    staff = desktop_page
    sign_in(staff, app, Role.LEGAL)
    staff.goto("/staff/claims/")
    staff.get_by_role("link", name=reference).click()
    staff.get_by_role("link", name="Ask for more information").click()
    check_page(staff, phone=False)
    staff.get_by_role("button", name="Send the request").click()
    expect(staff.locator(".error-summary")).to_be_visible()
    check_page(staff, phone=False)
    staff.get_by_label("What do you need from the claimant?").fill("Please confirm your country of residence.")
    staff.get_by_role("button", name="Send the request").click()
    expect(staff.get_by_role("status")).to_contain_text("Request sent")

    page.get_by_role("link", name="See the status of your claim").click()
    expect(page.locator(".status-tag")).to_have_text("We need more information from you")
    check_page(page)
    page.get_by_role("link", name="Answer this request").click()
    check_page(page)
    submit_blank_and_check_errors(page, "Send your answer", "Write your answer to our request")
    page.get_by_label("Your answer").fill("I live in Kenya.")
    page.get_by_role("button", name="Send your answer").click()
    expect(page.get_by_role("status")).to_contain_text("Your answer was sent")
    expect(page.locator(".status-tag")).to_have_text("Received: waiting for review")
    check_page(page)

    page.get_by_role("link", name="Withdraw this claim").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Withdraw your claim")
    check_page(page)
    page.get_by_role("button", name="Withdraw my claim").click()
    expect(page.get_by_role("status")).to_contain_text(f"Your claim {reference} was withdrawn")
    expect(page.locator(".status-tag")).to_have_text("Withdrawn")
    check_page(page)

"""A contractor on a 360 px phone: from the incident page to their own exposure cards."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.a11y import assert_fits_phone, assert_no_axe_violations

pytestmark = pytest.mark.browser


def fill_date(page: Page, legend: str, iso: str) -> None:
    """Type a date into the Day / Month / Year boxes of the date input whose legend is ``legend``."""
    year, month, day = iso.split("-")
    boxes = page.get_by_role("group", name=legend)
    boxes.get_by_label("Day", exact=True).fill(day)
    boxes.get_by_label("Month", exact=True).fill(month)
    boxes.get_by_label("Year", exact=True).fill(year)


def fill_check_form(page: Page, code: str, last_name: str, date_of_birth: str) -> None:
    page.get_by_label("Notice code", exact=True).fill(code)
    page.get_by_label("Last name", exact=True).fill(last_name)
    fill_date(page, "Date of birth", date_of_birth)
    page.get_by_role("button", name="Continue").click()


def test_contractor_checks_in_from_the_incident_page_and_sees_their_cards_worst_first(page, contractor):
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Contractor records breach")
    assert_fits_phone(page)

    page.get_by_role("link", name="Check if you were affected").click()
    expect(page).to_have_url(re.compile(r"/check$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Check if you were affected")
    date_of_birth = page.get_by_role("group", name="Date of birth")
    expect(date_of_birth.get_by_role("textbox")).to_have_count(3)  # Day, Month, Year: no browser date picker
    assert_fits_phone(page)

    # Lower case and without dashes, as someone might type it on a phone.
    fill_check_form(page, contractor.code.replace("-", "").lower(), contractor.last_name, contractor.date_of_birth)

    expect(page.get_by_role("heading", level=1)).to_have_text(f"Your information, {contractor.first_name}")
    cards = page.locator("li.card")
    expect(cards.locator("h3")).to_have_text(
        ["National identity or tax number", "Bank and payout details", "Work and task records"]
    )
    expect(cards.nth(0)).to_contain_text("KRA PIN ending 118Q")
    expect(cards.nth(0)).to_contain_text("Critical")
    expect(cards.nth(1)).to_contain_text("Bank account ending 4410 (June 2, 2026)")
    expect(cards.nth(2)).to_contain_text("412 task records, projects Atlas and Birch")
    expect(page.locator("main")).not_to_contain_text("Joao")
    assert_fits_phone(page)


def test_wrong_details_get_the_neutral_message_and_no_cards(page, contractor):
    page.goto("/check")
    fill_check_form(page, contractor.code, "Someone-Else", contractor.date_of_birth)

    expect(page.get_by_role("alert")).to_contain_text("We could not match those details")
    expect(page.locator("li.card")).to_have_count(0)
    page.goto("/my")
    expect(page.get_by_role("heading", level=1)).to_have_text("Check if you were affected")


def test_skip_link_moves_focus_to_main_content(page, contractor):
    page.goto("/")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to main content")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()


def test_incident_page_passes_axe(page, contractor):
    page.goto("/")
    assert_no_axe_violations(page)


def test_check_form_passes_axe_blank_with_field_errors_and_with_the_neutral_failure(page, contractor):
    page.goto("/check")
    assert_no_axe_violations(page)

    page.get_by_role("button", name="Continue").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("There is a problem")
    expect(summary.get_by_role("link", name="Enter your last name")).to_be_visible()
    expect(page.locator("#last_name-error")).to_contain_text("Enter your last name")
    expect(page.get_by_label("Last name", exact=True)).to_have_attribute("aria-invalid", "true")
    assert_fits_phone(page)
    assert_no_axe_violations(page)

    fill_check_form(page, "AAAA-BBBB-CCCC", contractor.last_name, contractor.date_of_birth)
    expect(page.get_by_role("alert")).to_contain_text("We could not match those details")
    assert_fits_phone(page)
    assert_no_axe_violations(page)


def test_exposure_page_passes_axe(page, contractor):
    page.goto("/check")
    fill_check_form(page, contractor.code, contractor.last_name, contractor.date_of_birth)
    expect(page.locator("li.card")).to_have_count(3)
    assert_no_axe_violations(page)


def test_lost_code_pages_pass_axe_and_fit_a_phone(page, contractor):
    page.goto("/check")
    page.get_by_role("link", name="Ask for a new code to be sent to your email").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Get a new notice code")
    assert_fits_phone(page)
    assert_no_axe_violations(page)

    page.get_by_role("button", name="Send me a new code").click()
    expect(page.locator("#email-error")).to_contain_text("Enter your email address")
    assert_no_axe_violations(page)

    page.get_by_label("Email address", exact=True).fill("nobody-we-know@example.org")
    page.get_by_role("button", name="Send me a new code").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    assert_fits_phone(page)
    assert_no_axe_violations(page)


def test_too_many_wrong_attempts_show_the_try_again_later_page(page, contractor, app, monkeypatch):
    # The real limit is 5 per code per 15 minutes; 1 makes the second wrong attempt hit it.
    monkeypatch.setitem(app.config, "VERIFY_LIMIT_PER_CODE", "1 per 15 minutes")
    page.goto("/check")
    fill_check_form(page, contractor.code, "Wrong", contractor.date_of_birth)
    expect(page.get_by_role("alert")).to_contain_text("We could not match those details")

    fill_check_form(page, contractor.code, "Wrong", contractor.date_of_birth)
    expect(page.get_by_role("heading", level=1)).to_have_text("Too many attempts – try again later")
    assert_fits_phone(page)
    assert_no_axe_violations(page)


def test_not_found_page_passes_axe_and_fits_a_phone(page):
    response = page.goto("/no-such-page")
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    assert_fits_phone(page)
    assert_no_axe_violations(page)

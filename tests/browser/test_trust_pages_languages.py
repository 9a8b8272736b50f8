"""The public trust pages in every language the portal has, on a 360 px phone: "Is this message
from us?" blank and with each answer, the report form with its errors, and a new code by post.

A browser set to the language (Accept-Language) gets the page in it; each page must say so in
`<html lang>`, fit the phone and pass axe-core. Buttons are found by their form, not their words."""

import pytest
from playwright.sync_api import Browser, Page

from tests.browser.a11y import assert_fits_phone, assert_no_axe_violations
from tests.browser.test_trust_pages import organisation  # noqa: F401  (a fixture used by name)

# Layout and language are the templates' and the catalogs' work, the same on either database:
# the PostgreSQL pass leaves these to the SQLite pass (CI's time limit).
pytestmark = [pytest.mark.browser, pytest.mark.sqlite_only]

# The browser's language as a phone in each country would send it, and the page language we expect.
LANGUAGES = {"es-MX": "es", "pt-BR": "pt", "fr-FR": "fr", "hi-IN": "hi", "fil-PH": "fil", "sw-KE": "sw"}


@pytest.fixture(params=sorted(LANGUAGES))
def localised_page(request, browser: Browser, browser_context_args) -> Page:
    context = browser.new_context(**{**browser_context_args, "locale": request.param})
    page = context.new_page()
    page.expected_language = LANGUAGES[request.param]
    yield page
    context.close()


def check_page(page: Page) -> None:
    assert page.get_attribute("html", "lang") == page.expected_language
    assert_fits_phone(page)
    assert_no_axe_violations(page)


def submit(page: Page, action: str) -> None:
    with page.expect_navigation():
        page.locator(f"form[action*='{action}'] button[type=submit]").click()


def test_the_check_page_answers_in_the_readers_language(localised_page, organisation):  # noqa: F811
    page = localised_page
    page.goto("/is-this-from-us")
    check_page(page)
    assert page.locator("h1").inner_text() != "Is this message from us?"
    page.locator("form[action*='is-this-from-us'] input[name=sender]").fill("https://examp1e-org.test")
    submit(page, "sender")
    check_page(page)
    assert page.locator(".notice-error").count() == 1  # the imitation is called out
    page.locator("input[name=notice_code]").fill("AAAA-BBBB-CCCC")
    submit(page, "code")
    check_page(page)


def test_the_report_form_and_its_errors_in_the_readers_language(localised_page, organisation):  # noqa: F811
    page = localised_page
    page.goto("/report-suspicious")
    check_page(page)
    submit(page, "report")
    assert page.locator(".error-summary, [role=alert]").count() >= 1
    check_page(page)


def test_a_new_code_by_post_in_the_readers_language(localised_page, organisation):  # noqa: F811
    page = localised_page
    page.goto("/lost-code")
    check_page(page)
    page.goto("/lost-code/by-post")
    check_page(page)
    submit(page, "by-post")
    assert page.locator(".error-summary, [role=alert]").count() >= 1
    check_page(page)

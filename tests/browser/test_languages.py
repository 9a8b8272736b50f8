"""Each language end to end on a 360 px phone: a person whose register language is L verifies
(from an English browser), then sees their cards, starts a claim and opens monitoring, all in L.

On every page: ``<html lang>`` is L, no English catalog string that L translates is left on the
page, nothing scrolls sideways and axe-core finds nothing. The Hindi page's Devanagari text is
drawn with the webfont the portal serves, so it shows on a phone without Indic fonts.
"""

import re
from functools import cache
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from flask_babel import force_locale, gettext
from playwright.sync_api import Page, expect

from portal.config import Config
from tests.browser.a11y import assert_fits_phone, assert_no_axe_violations
from tests.browser.conftest import Contractor
from tests.browser.test_contractor_flow import fill_check_form
from tests.browser.test_monitoring import offer_monitoring
from tests.factories import expose, give_notice_code, make_incident, make_person

pytestmark = pytest.mark.browser

FOLDER = Path(__file__).resolve().parents[2] / "portal" / "translations"
LANGUAGES = [code for code in Config.LANGUAGES if code != "en"]
_NOT_PLAIN = re.compile(r"%\(|\{|\(\(|<|&|\n|\*\*|\]\(")


@cache
def english_left_over(language: str) -> tuple[str, ...]:
    """English msgids that ``language`` translates and that would be noticed on a page: plain text
    of two words or more, and not part of any translation (names like "Exposure Portal" stay)."""
    with (FOLDER / language / "LC_MESSAGES" / "contractor.po").open("rb") as handle:
        catalog = read_po(handle, locale=language)
    pairs = [(m.id, m.string) for m in catalog if m.id and not m.pluralizable and m.string]
    translations = "\n".join(string for _, string in pairs)
    return tuple(
        msgid
        for msgid, string in pairs
        if msgid != string and " " in msgid.strip() and not _NOT_PLAIN.search(msgid) and msgid not in translations
    )


def translate(app, language: str, msgid: str) -> str:
    with app.test_request_context(), force_locale(language):
        return gettext(msgid)


def check_language_page(page: Page, language: str) -> None:
    assert page.evaluate("document.documentElement.lang") == language
    text = page.locator("body").inner_text()
    left = [msgid for msgid in english_left_over(language) if msgid in text]
    assert left == [], f"{page.url} in {language} still shows English: {left[:5]}"
    assert_fits_phone(page)
    assert_no_axe_violations(page)


@pytest.fixture
def speaker(app, request) -> tuple[str, Contractor]:
    language = request.param
    with app.app_context():
        incident = make_incident()
        person = make_person(first_name="Amina", last_name="Okafor", date_of_birth="1990-03-27", language=language)
        expose(person, incident, "national_id", "KRA PIN ending 118Q")
        expose(person, incident, "payment", "Bank account ending 4410")
        expose(person, incident, "task_records", "412 task records")
        code, incident_id = give_notice_code(person, incident), incident.id
    return language, Contractor(code, "Amina", "Okafor", "1990-03-27", incident_id)


@pytest.mark.parametrize("speaker", LANGUAGES, indirect=True)
def test_a_person_does_everything_in_their_register_language(page, app, speaker):
    language, contractor = speaker
    assert {"File a claim", "Start your claim", "Sign out"} <= set(english_left_over(language)), "the check can fail"
    offer_monitoring(app, "KR-7Q4M-2XD9")
    page.goto("/check")  # the browser asks for English: before verifying, that is what it gets
    assert page.evaluate("document.documentElement.lang") == "en"
    fill_check_form(page, contractor.code, contractor.last_name, contractor.date_of_birth)

    expect(page.locator("li.card")).to_have_count(3)
    expect(page.locator("li.card h3").first).to_have_text(translate(app, language, "National identity or tax number"))
    check_language_page(page, language)

    page.get_by_role("link", name=translate(app, language, "File a claim")).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(translate(app, language, "File a claim"))
    check_language_page(page, language)
    page.get_by_role("button", name=translate(app, language, "Start your claim")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(translate(app, language, "What do you want to claim?"))
    check_language_page(page, language)

    page.goto("/my")
    page.get_by_role("link", name=translate(app, language, "Enroll in monitoring")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(translate(app, language, "Identity monitoring"))
    check_language_page(page, language)


@pytest.mark.parametrize("speaker", ["hi"], indirect=True)
def test_hindi_text_is_drawn_with_the_served_devanagari_font(page, app, speaker):
    _, contractor = speaker
    page.goto("/check")
    fill_check_form(page, contractor.code, contractor.last_name, contractor.date_of_birth)
    expect(page.locator("li.card")).to_have_count(3)
    heading = page.get_by_role("heading", level=1).inner_text()
    assert re.search("[\u0900-\u097f]", heading), heading
    fonts = page.evaluate(
        """async (text) => {
          await document.fonts.ready;
          const faces = [...document.fonts].filter(f => f.family.replace(/"/g, "") === "Portal Devanagari");
          return {loaded: faces.filter(f => f.status === "loaded").map(f => f.weight),
                  covers: document.fonts.check('16px "Portal Devanagari"', text)};
        }""",
        heading,
    )
    assert fonts["loaded"], "the page's Devanagari did not load the served webfont"
    assert fonts["covers"], "the served webfont does not draw the heading's characters"
    # The font file really is served from static/, not found on this machine.
    response = page.request.get("/static/fonts/noto-sans-devanagari/noto-sans-devanagari-devanagari-400-normal.woff2")
    assert response.status == 200 and response.body()[:4] == b"wOF2"

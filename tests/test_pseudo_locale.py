"""The development pseudo-locale: every contractor page in accented, lengthened English.

Every ASCII letter of catalog text is accented in it, so plain English words left on a page are
text that escaped gettext (or data: the tour's names, titles and details, listed below).
"""

import html
import re
from pathlib import Path

import pytest

from portal.config import DevelopmentConfig, TestingConfig
from portal.core.i18n import PSEUDO
from tests.contractor_pages import build_tour
from tests.verify.test_sign_out import signed_in_clients

TESTS = Path(__file__).resolve().parent
DATA_SOURCES = [
    TESTS / name for name in ("contractor_pages.py", "factories.py", "monitoring/helpers.py", "claims/support.py")
]
# Three ASCII words in a row (letters only, as a sentence would have them).
_ENGLISH_RUN = re.compile(r"\b[A-Za-z][a-z']+(?:[ ,][A-Za-z][a-z']+){2,}\b")
_TEXT = re.compile(r"<(script|style)\b.*?</\1>|<[^>]+>", re.S)
_ATTRIBUTES = re.compile(r'\b(?:aria-label|placeholder|title|alt)="([^"]*)"')


def visible_text(page: str) -> str:
    body = page[page.index("<body") :]
    return html.unescape(_TEXT.sub("\n", body) + "\n" + "\n".join(_ATTRIBUTES.findall(body)))


@pytest.fixture
def pseudo_offered(app, monkeypatch):
    monkeypatch.setitem(app.extensions, "portal_languages", [*app.extensions["portal_languages"], PSEUDO])


def test_only_development_offers_the_pseudo_locale(app):
    assert DevelopmentConfig.OFFER_PSEUDO_LOCALE and not getattr(TestingConfig, "OFFER_PSEUDO_LOCALE", False)
    assert PSEUDO not in app.extensions["portal_languages"]
    client = app.test_client()
    client.get("/")
    client.post("/language", data={"language": PSEUDO, "next": "/"})
    assert '<html lang="en">' in client.get("/").get_data(as_text=True)


def test_every_contractor_page_in_the_pseudo_locale_has_no_plain_english(app, pseudo_offered):
    # No app context held across requests: Flask-Babel keeps the locale it chose on ``g``, and an
    # outer app context would let the first request's choice stand for every later one.
    with app.app_context():
        tour = build_tour(app)
    # What the tour wrote (names, titles, details, product features) is data, not the portal's text.
    data = "\n".join(path.read_text(encoding="utf-8") for path in DATA_SOURCES)
    clients = signed_in_clients(app, tour)
    problems, checked = [], 0
    anonymous = app.test_client()
    for client in [*clients.values(), anonymous]:
        client.get("/")
        assert client.post("/language", data={"language": PSEUDO, "next": "/"}).status_code == 302
    for visit in tour.visits:
        client = clients[visit.visitor] if visit.visitor else anonymous
        for path, form, _button in visit.before:
            client.post(path, data=form)
        page = client.get(visit.path, follow_redirects=True).get_data(as_text=True)
        assert f'<html lang="{PSEUDO}">' in page, visit.name
        text = visible_text(page)
        assert "⟦" in text, visit.name
        runs = [run for run in _ENGLISH_RUN.findall(text) if run not in data]
        checked += 1
        problems += [f"{visit.name}: {run}" for run in runs]
    assert problems == [], "\n".join(problems)
    assert checked == len(tour.visits) > 30

"""Which language a contractor reads: the browser's before verifying, the register's after, and the
selector's above both (a form, so no JavaScript is needed), kept through the identity check.

No test here holds an app context across requests: Flask-Babel keeps the locale it chose on ``g``,
so an outer app context would let one request's choice stand for the next.
"""

import re

import pytest

from portal.core.i18n import LANGUAGE_NAMES
from tests.contractor_pages import build_tour
from tests.factories import check_form, give_notice_code, make_incident, make_person
from tests.verify.test_sign_out import signed_in_clients

SELECTOR = re.compile(r'<form class="language-form" method="post" action="/language">(.*?)</form>', re.S)


def html_lang(page: str) -> str:
    return re.search(r'<html lang="([^"]+)">', page).group(1)


def _person(app, language: str):
    with app.app_context():
        incident = make_incident()
        person = make_person(language=language)
        return give_notice_code(person, incident)


@pytest.mark.parametrize(
    ("header", "language"),
    [
        ("es-ES,es;q=0.9", "es"),
        ("pt-BR", "pt"),
        ("fr-FR,fr;q=0.8,en;q=0.5", "fr"),
        ("hi-IN", "hi"),
        ("fil-PH", "fil"),
        ("sw-KE,sw;q=0.9", "sw"),
        ("de-DE", "en"),
        ("x-made-up", "en"),
    ],
)
def test_before_verifying_the_browser_language_decides(client, header, language):
    page = client.get("/check", headers={"Accept-Language": header}).get_data(as_text=True)
    assert html_lang(page) == language


def test_the_selector_offers_every_catalog_in_its_own_name_and_works_without_javascript(client):
    page = client.get("/check").get_data(as_text=True)
    selector = SELECTOR.search(page).group(1)
    options = re.findall(r'<option value="([^"]+)" lang="([^"]+)"[^>]*>([^<]+)</option>', selector)
    assert [(code, name) for code, lang, name in options] == [
        (code, LANGUAGE_NAMES[code]) for code in ("en", "es", "pt", "fr", "hi", "fil", "sw")
    ]
    assert all(code == lang for code, lang, _name in options)
    assert '<button type="submit"' in selector  # a plain form post: no script needed
    response = client.post("/language", data={"language": "hi", "next": "/check"})
    assert response.status_code == 302 and response.location == "/check"
    page = client.get("/check", headers={"Accept-Language": "es"}).get_data(as_text=True)
    assert html_lang(page) == "hi", "the person's choice outranks the browser's"
    assert 'value="hi" lang="hi" selected' in SELECTOR.search(page).group(1)


def test_after_verifying_the_register_language_replaces_the_browsers(app, client):
    code = _person(app, "es")
    headers = {"Accept-Language": "fr"}
    assert html_lang(client.get("/check", headers=headers).get_data(as_text=True)) == "fr"
    response = client.post("/check", data=check_form(code, "Okafor", "1990-03-27"), headers=headers)
    assert response.status_code == 302
    assert html_lang(client.get("/my", headers=headers).get_data(as_text=True)) == "es"


def test_a_choice_made_before_verifying_survives_the_identity_check_and_outranks_the_register(app, client):
    code = _person(app, "es")
    client.get("/check")
    client.post("/language", data={"language": "sw", "next": "/check"})
    response = client.post("/check", data=check_form(code, "Okafor", "1990-03-27"))
    assert response.status_code == 302
    page = client.get("/my").get_data(as_text=True)
    assert html_lang(page) == "sw"
    # And a choice made after verifying applies at once.
    client.post("/language", data={"language": "pt", "next": "/my"})
    assert html_lang(client.get("/my").get_data(as_text=True)) == "pt"


def test_every_contractor_page_shows_the_selector_and_says_its_language(app):
    with app.app_context():
        tour = build_tour(app)
    clients = signed_in_clients(app, tour)
    anonymous = app.test_client()
    for visit in tour.visits:
        client = clients[visit.visitor] if visit.visitor else anonymous
        for path, form, _button in visit.before:
            client.post(path, data=form)
        page = client.get(visit.path, follow_redirects=True).get_data(as_text=True)
        assert SELECTOR.search(page), f"{visit.name}: no language selector"
        assert html_lang(page) == "en", visit.name


def test_on_a_translated_page_the_selector_is_also_labelled_in_english(client):
    page = client.get("/check", headers={"Accept-Language": "hi"}).get_data(as_text=True)
    assert '<label for="language-select">भाषा <span lang="en">/ Language</span></label>' in page
    page = client.get("/check", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<label for="language-select">Language</label>' in page

"""Dates, numbers and money in the reader's locale, through Babel: "2 de junio de 2026", never a mix
of "2026-06-02" and "June 2, 2026" on a Spanish page."""

from datetime import date
from decimal import Decimal

import pytest
from babel.dates import format_date
from babel.numbers import format_currency
from flask_babel import force_locale

from portal.claims.money import format_money
from tests.factories import check_form, expose, give_notice_code, make_incident, make_person

LANGUAGES = ["es", "pt", "fr", "hi", "fil", "sw"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_exposure_page_writes_dates_in_the_readers_locale(app, client, language):
    with app.app_context():
        incident = make_incident(claim_deadline=date(2027, 4, 30))
        person = make_person(language=language)
        expose(person, incident, "payment", "Bank account ending 4410", exposed_at=date(2026, 6, 2))
        code = give_notice_code(person, incident)
    client.get("/check")
    assert client.post("/check", data=check_form(code, "Okafor", "1990-03-27")).status_code == 302
    page = client.get("/my").get_data(as_text=True)
    assert format_date(date(2026, 6, 2), "long", locale=language) in page
    assert format_date(date(2027, 4, 30), "long", locale=language) in page
    for english in ("June 2, 2026", "April 30, 2027", "2026-06-02", "2027-04-30"):
        assert english not in page


@pytest.mark.parametrize("language", ["en", *LANGUAGES])
def test_money_is_written_the_readers_way(app, language):
    with app.test_request_context(), force_locale(language):
        assert format_money(123456, "USD") == format_currency(Decimal("1234.56"), "USD", locale=language)
    if language == "fr":
        assert "1\u202f234,56" in format_currency(Decimal("1234.56"), "USD", locale="fr")

"""The rules every import file shares: language tags, dates, what a message may repeat."""

import pytest

from portal.imports.validation import canonical_language_tag, parse_iso_date, shown


@pytest.mark.parametrize(
    "tag,canonical",
    [
        ("pt-BR", "pt-BR"),
        ("pt-br", "pt-BR"),
        ("fil", "fil"),
        ("sw", "sw"),
        ("EN", "en"),
        ("zh-hant-tw", "zh-Hant-TW"),
        ("es-419", "es-419"),
        ("en-GB-oxendict", "en-GB-oxendict"),
    ],
)
def test_real_language_tags_are_accepted_in_canonical_case(tag, canonical):
    assert canonical_language_tag(tag) == canonical


@pytest.mark.parametrize("tag", ["", "xx", "zz-ZZ", "en-XX", "english", "pt_BR", "en--US", "e"])
def test_made_up_or_malformed_language_tags_are_refused(tag):
    assert canonical_language_tag(tag) is None


@pytest.mark.parametrize("text", ["2026-02-29", "20260101", "2026-1-01", "2026-01-01T00:00", " 2026-01-01", ""])
def test_dates_must_be_real_and_written_yyyy_mm_dd(text):
    assert parse_iso_date(text) is None


def test_shown_repeats_only_short_code_like_values():
    assert shown("XX", 3) == "'XX'"
    assert shown("NAIROBI", 3) == "the value"
    assert shown("Amina Okafor") == "the value"
    assert shown("a@b.org") == "the value"

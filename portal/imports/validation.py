"""The rules every import file shares: columns, limits, the error list, codes, dates, languages.

One row's own rules are beside it: ``people_rows.py`` and ``exposure_rows.py``.

Every problem becomes ``<file> line N: <column>: <problem>``. Messages may repeat a *code-like*
value (a country code, a category, a date) so the operator can find it, but never a name, an
email, an address, a phone number, a national id or a notice code: error lists are shown on
screen and pasted into tickets, so they must not carry the register's personal data.
"""

import re
from datetime import date
from functools import cache, lru_cache

import pycountry

PEOPLE_COLUMNS = (
    "contractor_id",
    "first_name",
    "last_name",
    "email",
    "phone",
    "country",
    "region",
    "address_line1",
    "address_line2",
    "city",
    "postal_code",
    "date_of_birth",
    "national_id_last4",
    "preferred_language",
)
PEOPLE_OPTIONAL_COLUMNS = ("notice_code",)
EXPOSURE_COLUMNS = ("contractor_id", "category", "detail", "exposed_at")

MAX_LISTED_ERRORS = 50
EARLIEST_BIRTH_DATE = date(1900, 1, 1)
# Column limits from the schema (migrations/versions/0001) and sane caps for free text.
MAX_CONTRACTOR_ID = 64
MAX_NAME = 200
MAX_EMAIL = 254
MAX_ADDRESS_PART = 200
MAX_DETAIL = 1000
MAX_LANGUAGE_TAG = 35
MAX_REMEMBERED_VALUES = 100_000  # distinct dates and language tags remembered as good

_CODE_LIKE = re.compile(r"[A-Za-z0-9_.:/-]+")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# BCP 47 (RFC 5646) language tag, the parts we accept: language, script, region, variants.
_LANGUAGE_TAG = re.compile(
    r"(?P<language>[A-Za-z]{2,3})(?:-(?P<script>[A-Za-z]{4}))?(?:-(?P<region>[A-Za-z]{2}|[0-9]{3}))?"
    r"(?:-(?:[A-Za-z0-9]{5,8}|[0-9][A-Za-z0-9]{3}))*"
)


class ErrorLog:
    """Every problem is counted; only the first ``MAX_LISTED_ERRORS`` are kept to show."""

    def __init__(self, limit: int = MAX_LISTED_ERRORS) -> None:
        self.limit = limit
        self.messages: list[str] = []
        self.count = 0

    def add(self, message: str) -> None:
        self.count += 1
        if len(self.messages) < self.limit:
            self.messages.append(message)

    def __bool__(self) -> bool:
        return self.count > 0


def shown(value: str, longest: int = 12) -> str:
    """Quote a value in a message only if it looks like a code (one short word, no spaces).

    Anything else may be personal data typed into the wrong column, so it is never repeated.
    """
    return repr(value) if len(value) <= longest and _CODE_LIKE.fullmatch(value) else "the value"


def check_header(
    label: str, line: int, header: list[str], required: tuple[str, ...], optional: tuple[str, ...] = ()
) -> list[str]:
    """Problems with a header row (empty if it is fine): missing, unknown and repeated columns."""
    names = [name.strip().lower() for name in header]
    problems = []
    missing = [name for name in required if name not in names]
    if missing:
        problems.append(f"{label} line {line}: missing column(s): {', '.join(missing)}")
    unknown = [name for name in names if name not in required and name not in optional]
    if unknown:
        listed = ", ".join(shown(name, 32) if name else "(an empty column name)" for name in unknown)
        problems.append(f"{label} line {line}: unknown column(s): {listed}; expected {', '.join(required + optional)}")
    repeated = sorted({name for name in names if names.count(name) > 1 and name})
    if repeated:
        problems.append(f"{label} line {line}: column(s) named more than once: {', '.join(repeated)}")
    return problems


@cache
def country_codes() -> frozenset[str]:
    return frozenset(country.alpha_2 for country in pycountry.countries)


@cache
def subdivision_countries() -> dict[str, str]:
    """ISO 3166-2 code → the ISO 3166-1 country it belongs to."""
    return {subdivision.code: subdivision.country_code for subdivision in pycountry.subdivisions}


@cache
def _language_codes() -> frozenset[str]:
    codes = set()
    for language in pycountry.languages:
        codes.add(language.alpha_3)
        if hasattr(language, "alpha_2"):
            codes.add(language.alpha_2)
    return frozenset(codes)


@lru_cache(maxsize=4096)
def canonical_language_tag(tag: str) -> str | None:
    """``pt-br`` → ``pt-BR``; None if it is not a BCP 47 tag with a real ISO 639 language and region."""
    match = _LANGUAGE_TAG.fullmatch(tag)
    if not match or len(tag) > MAX_LANGUAGE_TAG or match["language"].lower() not in _language_codes():
        return None
    region = match["region"]
    if region and not region.isdigit() and region.upper() not in country_codes():
        return None
    parts = tag.split("-")
    canonical = [parts[0].lower()]
    for part in parts[1:]:
        if len(part) == 4 and part.isalpha():
            canonical.append(part.title())
        elif len(part) == 2:
            canonical.append(part.upper())
        else:
            canonical.append(part.lower())
    return "-".join(canonical)


def parse_iso_date(text: str) -> date | None:
    """A strict ``YYYY-MM-DD`` date (``date.fromisoformat`` alone also takes ``20250101`` and more)."""
    if len(text) != 10 or not _ISO_DATE.fullmatch(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None

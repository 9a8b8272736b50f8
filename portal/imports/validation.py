"""The rules for one row of ``people.csv`` or ``exposures.csv``.

Every problem becomes ``<file> line N: <column>: <problem>``. Messages may repeat a *code-like*
value (a country code, a category, a date) so the operator can find it, but never a name, an
email, an address, a phone number, a national id or a notice code: error lists are shown on
screen and pasted into tickets, so they must not carry the register's personal data.
"""

import re
from dataclasses import dataclass
from datetime import date
from functools import cache, lru_cache
from json.encoder import encode_basestring
from operator import itemgetter

import pycountry

from portal.crypto.notice_codes import normalize_notice_code
from portal.imports.control_characters import control_character_problems

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
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")
# At least five digits; separators people type are fine. Each repetition starts with a digit: no backtracking.
_PHONE = re.compile(r"\+?[ ().\-/]*(?:[0-9][ ().\-/]*){5,}")
MAX_PHONE = 40
# A notice code already in canonical form (Crockford base32 without I, L, O, U; dashes optional):
# normalize_notice_code would return it without the dashes, so the quick path skips that call.
_CANONICAL_CODE = re.compile(r"[0-9A-HJKMNP-TV-Z]{4}-?[0-9A-HJKMNP-TV-Z]{4}-?[0-9A-HJKMNP-TV-Z]{4}")
_LAST4 = re.compile(r"[0-9A-Za-z]{4}")
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


@dataclass(slots=True)
class PersonRecord:
    """One valid ``people.csv`` row, still in plain text (encryption happens when it is written)."""

    line: int
    contractor_id: str
    first_name: str
    last_name: str
    email: str
    phone: str
    country: str
    region: str
    address: str  # JSON of line1, line2, city, postal_code; "" when every part is empty
    date_of_birth: str
    national_id_last4: str
    preferred_language: str
    notice_code: str  # normalised; "" when none


class PeopleRowChecker:
    """Turns the cells of one ``people.csv`` row into a PersonRecord, or reports why it cannot."""

    def __init__(self, label: str, header: list[str], errors: ErrorLog, today: date) -> None:
        names = [name.strip().lower() for name in header]
        self.label = label
        self.errors = errors
        self.today = today
        self.width = len(names)
        self.index = {name: names.index(name) for name in PEOPLE_COLUMNS + PEOPLE_OPTIONAL_COLUMNS if name in names}
        self.names = names
        self.countries = country_codes()
        self.subdivisions = subdivision_countries()
        columns = PEOPLE_COLUMNS + PEOPLE_OPTIONAL_COLUMNS
        # One C call picks the cells in PEOPLE_COLUMNS order; a file without notice codes gets "" for them.
        pick = itemgetter(*(self.index[name] for name in columns if name in self.index))
        self.pick = pick if "notice_code" in self.index else (lambda cells: (*pick(cells), ""))
        self.good_languages: dict[str, str] = {}  # tag → canonical tag, for tags already found good

    def _problem(self, line: int, column: str, problem: str) -> None:
        self.errors.add(f"{self.label} line {line}: {column}: {problem}")

    def contractor_id_of(self, cells: list[str]) -> str:
        position = self.index["contractor_id"]
        return cells[position].strip() if position < len(cells) else ""

    def notice_code_of(self, cells: list[str]) -> str:
        """The row's notice code, normalised as ``check`` would; "" if none or not a code."""
        position = self.index.get("notice_code")
        if position is None or position >= len(cells):
            return ""
        code = cells[position].strip()
        if not code:
            return ""
        return code.replace("-", "") if _CANONICAL_CODE.fullmatch(code) else normalize_notice_code(code)

    def check(self, line: int, cells: list[str]) -> PersonRecord | None:
        """The row as a PersonRecord, or None after reporting its problems.

        Most rows are fine, so they take a short path of set look-ups and regexes with no error
        bookkeeping; a row that fails any test (or holds a value not seen before, like a new
        birth date) is checked again the long way, which names every problem.
        """
        controls = control_character_problems(self.label, line, self.names, cells)
        if controls:
            for problem in controls:
                self.errors.add(problem)
            return None
        if len(cells) == self.width:
            record = self._check_quickly(line, cells)
            if record is not None:
                return record
        return self._check_slowly(line, cells)

    def _check_quickly(self, line: int, cells: list[str]) -> PersonRecord | None:
        (
            contractor_id,
            first_name,
            last_name,
            email,
            phone,
            country,
            region,
            line1,
            line2,
            city,
            postal_code,
            born,
            last4,
            language,
            code,
        ) = [cell.strip() for cell in self.pick(cells)]
        language = self.good_languages.get(language or "en")
        if code:
            code = code.replace("-", "") if _CANONICAL_CODE.fullmatch(code) else ""
            if not code:
                return None
        if (
            language is None
            or not contractor_id
            or len(contractor_id) > MAX_CONTRACTOR_ID
            or not last_name
            or len(first_name) > MAX_NAME
            or len(last_name) > MAX_NAME
            or (email and (len(email) > MAX_EMAIL or not _EMAIL.fullmatch(email)))
            or (phone and (len(phone) > MAX_PHONE or not _PHONE.fullmatch(phone)))
            or country not in self.countries
            or (region and self.subdivisions.get(region) != country)
            or not self._good_birth_date(born)
            or (last4 and not _LAST4.fullmatch(last4))
            or max(len(line1), len(line2), len(city), len(postal_code)) > MAX_ADDRESS_PART
        ):
            return None
        address = address_json(line1, line2, city, postal_code)
        return PersonRecord(
            line,
            contractor_id,
            first_name,
            last_name,
            email,
            phone,
            country,
            region,
            address,
            born,
            last4.upper(),
            language,
            code,
        )

    def _good_birth_date(self, text: str) -> bool:
        born = parse_iso_date(text)
        return born is not None and EARLIEST_BIRTH_DATE <= born <= self.today

    def _check_slowly(self, line: int, cells: list[str]) -> PersonRecord | None:
        if len(cells) != self.width:
            self.errors.add(f"{self.label} line {line}: expected {self.width} fields, found {len(cells)}")
            return None
        before = self.errors.count
        get = self.index.get
        value = {name: cells[position].strip() for name, position in self.index.items()}
        contractor_id = self._contractor_id(line, value["contractor_id"])
        self._names(line, value)
        self._contact(line, value)
        country, region = self._place(line, value["country"], value["region"])
        self._address(line, value)
        self._date_of_birth(line, value["date_of_birth"])
        last4 = value["national_id_last4"]
        if last4 and not _LAST4.fullmatch(last4):
            self._problem(line, "national_id_last4", "must be exactly 4 letters or digits")
        language = self._language(line, value["preferred_language"] or "en")
        code = ""
        if get("notice_code") is not None and value["notice_code"]:
            code = normalize_notice_code(value["notice_code"])
            if not code:
                self._problem(line, "notice_code", "is not a notice code (12 letters and digits, Crockford base32)")
        if self.errors.count > before:
            return None
        address = address_json(value["address_line1"], value["address_line2"], value["city"], value["postal_code"])
        return PersonRecord(
            line,
            contractor_id,
            value["first_name"],
            value["last_name"],
            value["email"],
            value["phone"],
            country,
            region,
            address,
            value["date_of_birth"],
            last4.upper(),
            language,
            code,
        )

    def _contractor_id(self, line: int, contractor_id: str) -> str:
        if not contractor_id:
            self._problem(line, "contractor_id", "is empty")
        elif len(contractor_id) > MAX_CONTRACTOR_ID:
            self._problem(line, "contractor_id", f"is longer than {MAX_CONTRACTOR_ID} characters")
        return contractor_id

    def _names(self, line: int, value: dict[str, str]) -> None:
        if not value["last_name"]:
            self._problem(line, "last_name", "is empty (people verify themselves with it)")
        for column in ("first_name", "last_name"):
            if len(value[column]) > MAX_NAME:
                self._problem(line, column, f"is longer than {MAX_NAME} characters")

    def _contact(self, line: int, value: dict[str, str]) -> None:
        email, phone = value["email"], value["phone"]
        if email and (len(email) > MAX_EMAIL or not _EMAIL.fullmatch(email)):
            self._problem(line, "email", "is not an email address")
        if phone and (len(phone) > MAX_PHONE or not _PHONE.fullmatch(phone)):
            self._problem(line, "phone", "is not a phone number (digits, spaces, + - ( ) . / only)")

    def _place(self, line: int, country: str, region: str) -> tuple[str, str]:
        country, region = country.upper(), region.upper()
        if not country:
            self._problem(line, "country", "is empty")
        elif country not in self.countries:
            self._problem(line, "country", f"{shown(country, 3)} is not an ISO 3166-1 alpha-2 country code")
        if region:
            owner = self.subdivisions.get(region)
            if owner is None:
                self._problem(line, "region", f"{shown(region, 6)} is not an ISO 3166-2 subdivision code (like US-CA)")
            elif owner != country and country in self.countries:
                self._problem(line, "region", f"{shown(region, 6)} is not in country {country}")
        return country, region

    def _address(self, line: int, value: dict[str, str]) -> None:
        for column in ("address_line1", "address_line2", "city", "postal_code"):
            if len(value[column]) > MAX_ADDRESS_PART:
                self._problem(line, column, f"is longer than {MAX_ADDRESS_PART} characters")

    def _date_of_birth(self, line: int, text: str) -> None:
        # The value itself is never repeated: with the last name it is what unlocks a person's page.
        if not text:
            self._problem(line, "date_of_birth", "is empty (people verify themselves with it)")
            return
        born = parse_iso_date(text)
        if born is None:
            self._problem(line, "date_of_birth", "is not a date in the form YYYY-MM-DD")
        elif not EARLIEST_BIRTH_DATE <= born <= self.today:
            self._problem(line, "date_of_birth", f"must be between {EARLIEST_BIRTH_DATE} and today")

    def _language(self, line: int, tag: str) -> str:
        canonical = canonical_language_tag(tag)
        if canonical is None:
            self._problem(
                line,
                "preferred_language",
                f"{shown(tag, MAX_LANGUAGE_TAG)} is not a BCP 47 language tag (like pt-BR, fil)",
            )
            return ""
        if len(self.good_languages) < MAX_REMEMBERED_VALUES:
            self.good_languages[tag] = canonical
        return canonical


def address_json(line1: str, line2: str, city: str, postal_code: str) -> str:
    """The address as stored (encrypted): ``{"city": …, "line1": …, "line2": …, "postal_code": …}``, or "".

    Byte for byte what ``json.dumps(parts, ensure_ascii=False, sort_keys=True)`` gives, at a sixth
    of the cost (json.dumps builds an encoder on every call); tests/imports/test_validation.py checks.
    """
    if not (line1 or line2 or city or postal_code):
        return ""
    quote = encode_basestring
    return (
        f'{{"city": {quote(city)}, "line1": {quote(line1)}, "line2": {quote(line2)}, '
        f'"postal_code": {quote(postal_code)}}}'
    )

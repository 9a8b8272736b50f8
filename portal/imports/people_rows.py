"""The rules for one row of ``people.csv`` (the shared rules are in validation.py).

Like every import message, a problem may repeat a code-like value but never a name, an email, an
address, a phone number, a national id or a notice code (see validation.py).
"""

import re
from dataclasses import dataclass
from datetime import date
from json.encoder import encode_basestring
from operator import itemgetter

from portal.crypto.notice_codes import normalize_notice_code
from portal.imports.control_characters import control_character_problems
from portal.imports.validation import (
    EARLIEST_BIRTH_DATE,
    MAX_ADDRESS_PART,
    MAX_CONTRACTOR_ID,
    MAX_EMAIL,
    MAX_LANGUAGE_TAG,
    MAX_NAME,
    MAX_REMEMBERED_VALUES,
    PEOPLE_COLUMNS,
    PEOPLE_OPTIONAL_COLUMNS,
    ErrorLog,
    canonical_language_tag,
    country_codes,
    parse_iso_date,
    shown,
    subdivision_countries,
)

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")
# At least five digits; separators people type are fine. Each repetition starts with a digit: no backtracking.
_PHONE = re.compile(r"\+?[ ().\-/]*(?:[0-9][ ().\-/]*){5,}")
MAX_PHONE = 40
# A notice code already in canonical form (Crockford base32 without I, L, O, U; dashes optional):
# normalize_notice_code would return it without the dashes, so most rows skip that call.
_CANONICAL_CODE = re.compile(r"[0-9A-HJKMNP-TV-Z]{4}-?[0-9A-HJKMNP-TV-Z]{4}-?[0-9A-HJKMNP-TV-Z]{4}")
_LAST4 = re.compile(r"[0-9A-Za-z]{4}")


def normal_notice_code(code: str) -> str:
    """The code as stored (``normalize_notice_code``); "" if it is not a notice code."""
    return code.replace("-", "") if _CANONICAL_CODE.fullmatch(code) else normalize_notice_code(code)


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
        return normal_notice_code(cells[position].strip())

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
            code = normal_notice_code(code)
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
            code = normal_notice_code(value["notice_code"])
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
    of the cost (json.dumps builds an encoder on every call); tests/imports/test_people_rows.py checks.
    """
    if not (line1 or line2 or city or postal_code):
        return ""
    quote = encode_basestring
    return (
        f'{{"city": {quote(city)}, "line1": {quote(line1)}, "line2": {quote(line2)}, '
        f'"postal_code": {quote(postal_code)}}}'
    )

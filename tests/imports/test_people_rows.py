"""One ``people.csv`` row: the quick path for good rows agrees with the careful one, and every
place that reads a notice code reads it the same way."""

import json
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.crypto.notice_codes import CROCKFORD, normalize_notice_code
from portal.imports.people_rows import PeopleRowChecker, address_json, normal_notice_code
from portal.imports.validation import PEOPLE_COLUMNS, ErrorLog
from tests.imports.registers import person

TODAY = date(2026, 11, 23)
HEADER = [*PEOPLE_COLUMNS, "notice_code"]
CODE_TEXT = st.text(alphabet=CROCKFORD + "ILOUilo- ", min_size=0, max_size=16)


def _row(**values) -> list[str]:
    row = person("C-1", **values)
    return [row[column] for column in HEADER]


def _both_paths(cells):
    checker = PeopleRowChecker("people.csv", HEADER, ErrorLog(), TODAY)
    quick = checker._check_quickly(2, cells)
    careful = checker._check_slowly(2, cells)
    return quick, careful


@pytest.mark.parametrize(
    "values",
    [
        {},
        {"notice_code": "7KQ4-M2XD-9TRA"},
        {"notice_code": "7KQ4M2XD9TRA"},
        {"region": "", "phone": ""},
        {"address_line1": "", "address_line2": "", "city": "", "postal_code": ""},
        {"national_id_last4": "a1b2"},
    ],
)
def test_the_quick_path_builds_the_same_record_as_the_careful_one(values):
    quick, careful = _both_paths(_row(**values))
    assert careful is not None
    assert quick is None or quick == careful


@given(CODE_TEXT)
def test_the_quick_notice_code_check_agrees_with_normalize_notice_code(code):
    quick, careful = _both_paths(_row(notice_code=code))
    if quick is not None:  # the quick path may pass a row on to the careful one, but never decide differently
        assert quick.notice_code == careful.notice_code == normalize_notice_code(code)
    if careful is not None:
        assert careful.notice_code == normalize_notice_code(code)


@given(st.text(max_size=20), st.text(max_size=20), st.text(max_size=20), st.text(max_size=10))
def test_address_json_is_exactly_what_json_dumps_gives(line1, line2, city, postal_code):
    parts = {"line1": line1, "line2": line2, "city": city, "postal_code": postal_code}
    expected = json.dumps(parts, ensure_ascii=False, sort_keys=True) if any(parts.values()) else ""
    assert address_json(line1, line2, city, postal_code) == expected


@given(CODE_TEXT | st.text(max_size=16))
def test_the_duplicate_check_reads_a_code_as_the_row_check_does(code):
    """The import refuses a code given twice by comparing what notice_code_of reads."""
    checker = PeopleRowChecker("people.csv", HEADER, ErrorLog(), TODAY)
    assert normal_notice_code(code) == normalize_notice_code(code)
    assert checker.notice_code_of(_row(notice_code=f" {code} ")) == normalize_notice_code(code.strip())

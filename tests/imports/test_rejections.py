"""Bad register files: each problem is named with its file, line and column, and nothing is written."""

import pytest
from sqlalchemy import select, text

from portal.extensions import db
from portal.imports.service import ImportRejected, import_register
from portal.models import Person
from tests.factories import give_notice_code, make_incident, make_person
from tests.imports.registers import (
    CODE_AMINA,
    EXPOSURES_HEADER,
    PEOPLE_HEADER,
    person,
    table_counts,
    write_exposures,
    write_people,
)


@pytest.fixture
def incident(app_ctx):
    incident = make_incident()
    make_person("C-0001")  # someone already on file, so "unchanged" is tested against a non-empty database
    return incident


def rejected(incident, people=None, exposures=None) -> ImportRejected:
    """Import, expecting rejection; also checks the database is exactly as it was."""
    before = table_counts()
    persons_before = db.session.execute(text("SELECT * FROM person ORDER BY id")).all()
    with pytest.raises(ImportRejected) as caught:
        import_register(incident, people, exposures)
    assert table_counts() == before
    assert db.session.execute(text("SELECT * FROM person ORDER BY id")).all() == persons_before
    return caught.value


PEOPLE_CASES = {
    "bad country": ({"country": "XX"}, "people.csv line 3: country: 'XX' is not an ISO 3166-1 alpha-2 country code"),
    "empty country": ({"country": ""}, "people.csv line 3: country: is empty"),
    "unknown region": ({"region": "KE-99"}, "people.csv line 3: region: 'KE-99' is not an ISO 3166-2 subdivision"),
    "region of another country": ({"region": "US-CA"}, "people.csv line 3: region: 'US-CA' is not in country KE"),
    "bad birth date": (
        {"date_of_birth": "27/03/1990"},
        "people.csv line 3: date_of_birth: is not a date in the form YYYY-MM-DD",
    ),
    "impossible birth date": (
        {"date_of_birth": "1990-02-30"},
        "people.csv line 3: date_of_birth: is not a date in the form YYYY-MM-DD",
    ),
    "future birth date": (
        {"date_of_birth": "2999-01-01"},
        "people.csv line 3: date_of_birth: must be between 1900-01-01 and today",
    ),
    "birth date before 1900": (
        {"date_of_birth": "1899-12-31"},
        "people.csv line 3: date_of_birth: must be between 1900-01-01 and today",
    ),
    "missing birth date": ({"date_of_birth": ""}, "people.csv line 3: date_of_birth: is empty"),
    "missing last name": ({"last_name": ""}, "people.csv line 3: last_name: is empty"),
    "missing contractor id": (
        {"contractor_id": "", "email": "a@example.org"},
        "people.csv line 3: contractor_id: is empty",
    ),
    "bad language": (
        {"preferred_language": "xx-YY"},
        "people.csv line 3: preferred_language: 'xx-YY' is not a BCP 47 language tag",
    ),
    "bad email": ({"email": "amina at example"}, "people.csv line 3: email: is not an email address"),
    "bad phone": ({"phone": "call me"}, "people.csv line 3: phone: is not a phone number"),
    "bad last 4": (
        {"national_id_last4": "44101"},
        "people.csv line 3: national_id_last4: must be exactly 4 letters or digits",
    ),
    "bad notice code": ({"notice_code": "7KQ4-M2XD"}, "people.csv line 3: notice_code: is not a notice code"),
    # Control characters: PostgreSQL refused a NUL with a 500 (and logged the row), SQLite stored it;
    # a line break in a name reached email subjects and SendGrid's to.name.
    "NUL in a name": ({"first_name": "Ami\x00na"}, "people.csv line 3: first_name: contains a control character"),
    "line break in a name": (
        {"last_name": "Okafor\r\nBcc: x@evil.example"},
        "people.csv line 3: last_name: contains a control character",
    ),
    "tab in a city": ({"city": "Nai\trobi"}, "people.csv line 3: city: contains a control character"),
    "NUL in an address line": (
        {"address_line2": "Block\x00B"},
        "people.csv line 3: address_line2: contains a control character",
    ),
    "escape in an email": ({"email": "a\x1b@example.org"}, "people.csv line 3: email: contains a control character"),
}


@pytest.mark.parametrize("change,message", PEOPLE_CASES.values(), ids=PEOPLE_CASES.keys())
def test_a_bad_people_row_is_named_and_nothing_is_written(incident, tmp_path, change, message):
    people = write_people(
        tmp_path / "people.csv", [person("C-1"), person(**{"contractor_id": "C-2", **change}), person("C-3")]
    )
    problem = rejected(incident, people)
    assert problem.error_count == 1
    assert problem.errors[0].startswith(message), problem.errors


def test_no_personal_value_is_repeated_in_a_message(incident, tmp_path):
    people = write_people(
        tmp_path / "people.csv",
        [
            person(
                "C-1",
                email="secret-mail@",
                phone="secret phone",
                date_of_birth="1990-13-45",
                national_id_last4="S3CR3T",
                notice_code="SECRET-CODE",
                country="Nairobi",
                region="Moi-Avenue",
                preferred_language="Amina's own words",
            )
        ],
    )
    problem = rejected(incident, people)
    assert problem.error_count == 8
    joined = "\n".join(problem.errors)
    for personal in ("secret", "1990-13-45", "S3CR3T", "SECRET", "Amina", "NAIROBI", "MOI"):
        assert personal not in joined


def test_duplicate_contractor_ids_are_reported_with_the_first_line(incident, tmp_path):
    people = write_people(tmp_path / "people.csv", [person("C-1"), person("C-2"), person("C-1")])
    problem = rejected(incident, people)
    assert problem.errors == ["people.csv line 4: contractor_id: 'C-1' appears more than once (first on line 2)"]


def test_a_notice_code_given_twice_in_the_file_is_rejected(incident, tmp_path):
    people = write_people(
        tmp_path / "people.csv", [person("C-1", notice_code=CODE_AMINA), person("C-2", notice_code=CODE_AMINA.lower())]
    )
    assert rejected(incident, people).errors == ["people.csv line 3: notice_code: the same code is on line 2"]


def test_a_notice_code_that_belongs_to_another_person_is_rejected(incident, tmp_path):
    someone = db.session.scalar(select(Person).where(Person.contractor_id == "C-0001"))
    code = give_notice_code(someone, incident)
    people = write_people(tmp_path / "people.csv", [person("C-1", notice_code=code)])
    assert rejected(incident, people).errors == [
        "people.csv line 2: notice_code: this code already belongs to another person"
    ]


@pytest.mark.parametrize(
    "row,message",
    [
        (("C-1", "paymnt", "", ""), "exposures.csv line 2: category: 'paymnt' is not a known category (address, "),
        (("C-1", "", "", ""), "exposures.csv line 2: category: is empty"),
        (
            ("C-404", "payment", "", ""),
            "exposures.csv line 2: contractor_id: 'C-404' is not in the register or in people.csv",
        ),
        (
            ("C-1", "payment", "", "2026-13-01"),
            "exposures.csv line 2: exposed_at: '2026-13-01' is not a date in the form",
        ),
        (("C-1", "payment", "", "2999-01-01"), "exposures.csv line 2: exposed_at: '2999-01-01' is in the future"),
        (("C-1", "payment", "x" * 1001, ""), "exposures.csv line 2: detail: is longer than 1000 characters"),
        (("C-1", "payment", ""), "exposures.csv line 2: expected 4 fields, found 3"),
        (("C-1", "payment", "Bank\x00 4410", ""), "exposures.csv line 2: detail: contains a control character"),
        (("C-1", "payment\n", "", ""), "exposures.csv line 2: category: contains a control character"),
    ],
)
def test_a_bad_exposure_row_is_named_and_nothing_is_written(incident, tmp_path, row, message):
    people = write_people(tmp_path / "people.csv", [person("C-1")])
    exposures = write_exposures(tmp_path / "exposures.csv", [row])
    problem = rejected(incident, people, exposures)
    assert problem.error_count == 1 and problem.errors[0].startswith(message), problem.errors


def test_the_same_category_twice_for_one_person_is_rejected(incident, tmp_path):
    exposures = write_exposures(
        tmp_path / "exposures.csv",
        [("C-0001", "payment", "", ""), ("C-0001", "video", "", ""), ("C-0001", "payment", "again", "")],
    )
    assert rejected(incident, None, exposures).errors == [
        "exposures.csv line 4: category: 'payment' is given more than once for this contractor"
    ]


def test_an_exposure_for_a_rejected_people_row_is_not_also_called_unknown(incident, tmp_path):
    people = write_people(tmp_path / "people.csv", [person("C-1", country="XX")])
    exposures = write_exposures(tmp_path / "exposures.csv", [("C-1", "payment", "", "")])
    assert [e.split(":")[0] for e in rejected(incident, people, exposures).errors] == ["people.csv line 2"]


def test_a_bad_exposures_file_rolls_back_a_good_people_file(incident, tmp_path):
    people = write_people(tmp_path / "people.csv", [person(f"C-{n}") for n in range(10)])
    exposures = write_exposures(tmp_path / "exposures.csv", [("C-1", "payment", "", ""), ("C-2", "nope", "", "")])
    assert rejected(incident, people, exposures).error_count == 1


@pytest.mark.parametrize(
    "header,message",
    [
        (
            [c for c in PEOPLE_HEADER if c not in ("country", "email")],
            "people.csv line 1: missing column(s): email, country",
        ),
        ([*PEOPLE_HEADER, "shoe_size"], "people.csv line 1: unknown column(s): 'shoe_size'"),
        ([*PEOPLE_HEADER, "email"], "people.csv line 1: column(s) named more than once: email"),
    ],
)
def test_the_header_must_have_exactly_the_known_columns(incident, tmp_path, header, message):
    people = write_people(tmp_path / "people.csv", [person("C-1")], header=header)
    problem = rejected(incident, people)
    assert problem.errors[0].startswith(message), problem.errors


def test_an_exposures_header_is_checked_too(incident, tmp_path):
    exposures = write_exposures(tmp_path / "exposures.csv", [("C-0001", "payment")], header=["contractor", "category"])
    problem = rejected(incident, None, exposures)
    assert problem.errors[0] == "exposures.csv line 1: missing column(s): contractor_id, detail, exposed_at"


def test_an_empty_file_is_rejected(incident, tmp_path):
    empty = tmp_path / "people.csv"
    empty.write_bytes(b"")
    assert rejected(incident, empty).errors == ["people.csv: the file is empty"]


def test_a_header_without_rows_is_rejected(incident, tmp_path):
    exposures = write_exposures(tmp_path / "exposures.csv", [])
    assert rejected(incident, None, exposures).errors == ["exposures.csv: the file has a header row but no data rows"]


def test_a_file_that_is_not_utf8_names_the_first_bad_line(incident, tmp_path):
    people = write_people(
        tmp_path / "people.csv",
        [person(f"C-{n}") for n in range(1, 4)] + [person("C-9", first_name="Jos\u00e9")],
        encoding="cp1252",
    )
    problem = rejected(incident, people)
    assert problem.errors == ["people.csv line 5: the file is not valid UTF-8 (save it as “CSV UTF-8”)"]


def test_a_bad_byte_deep_in_a_big_file_is_found_by_line(incident, tmp_path):
    path = write_people(tmp_path / "people.csv", [person(f"C-{n}") for n in range(3000)])
    path.write_bytes(path.read_bytes() + b"C-X,Ren\xe9,Dupont\n")
    problem = rejected(incident, path)
    assert problem.errors[-1] == "people.csv line 3002: the file is not valid UTF-8 (save it as “CSV UTF-8”)"


def test_only_the_first_50_problems_are_listed_but_all_are_counted(incident, tmp_path):
    people = write_people(tmp_path / "people.csv", [person(f"C-{n}", country="XX") for n in range(120)])
    problem = rejected(incident, people)
    assert problem.error_count == 120 and len(problem.errors) == 50
    assert problem.errors[0].startswith("people.csv line 2: country:")
    assert problem.errors[-1].startswith("people.csv line 51: country:")


def test_checking_goes_on_after_the_first_problem(incident, tmp_path):
    people = write_people(
        tmp_path / "people.csv", [person("C-1", country="XX"), person("C-2"), person("C-3", region="ZZ-1")]
    )
    exposures = write_exposures(tmp_path / "exposures.csv", [("C-2", "payment", "", ""), ("C-4", "payment", "", "")])
    problem = rejected(incident, people, exposures)
    assert [e.split(":")[0] for e in problem.errors] == [
        "people.csv line 2",
        "people.csv line 4",
        "exposures.csv line 3",
    ]


def test_an_unreadable_people_file_does_not_flood_the_list_with_unknown_contractors(incident, tmp_path):
    people = write_people(tmp_path / "people.csv", [person("C-1")], header=PEOPLE_HEADER[:-3])
    exposures = write_exposures(tmp_path / "exposures.csv", [("C-1", "payment", "", "")], header=EXPOSURES_HEADER)
    problem = rejected(incident, people, exposures)
    assert problem.error_count == 1 and problem.errors[0].startswith("people.csv line 1: missing column(s)")

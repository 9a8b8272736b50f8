"""Rows checked a chunk at a time, against the database rather than a map of the file: the rules and
the order of the problem list are those of a row-by-row check."""

import pytest
from sqlalchemy import text

from portal.extensions import db
from portal.imports.service import ImportRejected, import_register
from tests.factories import make_incident, make_person
from tests.imports.registers import CODE_AMINA, person, table_counts, write_exposures, write_people


@pytest.fixture
def incident(app_ctx, monkeypatch):
    monkeypatch.setattr("portal.imports.writers.PEOPLE_CHUNK", 2)
    monkeypatch.setattr("portal.imports.writers.EXPOSURE_CHUNK", 2)
    make_person("C-0001")  # someone already on file
    return make_incident()


def rejected(incident, people=None, exposures=None) -> ImportRejected:
    before = table_counts()
    with pytest.raises(ImportRejected) as caught:
        import_register(incident, people, exposures)
    assert table_counts() == before
    return caught.value


def test_a_contractor_id_repeated_in_a_later_chunk_names_its_first_line_in_file_order(incident, tmp_path):
    people = write_people(
        tmp_path / "people.csv",
        [person("C-1"), person("C-2"), person("C-3", country="XX"), person("C-1"), person("C-4", country="XX")],
    )
    assert rejected(incident, people).errors == [
        "people.csv line 4: country: 'XX' is not an ISO 3166-1 alpha-2 country code",
        "people.csv line 5: contractor_id: 'C-1' appears more than once (first on line 2)",
        "people.csv line 6: country: 'XX' is not an ISO 3166-1 alpha-2 country code",
    ]


def test_a_rejected_row_still_counts_as_the_first_line_of_its_contractor(incident, tmp_path):
    people = write_people(tmp_path / "people.csv", [person("C-1", country="XX"), person("C-2"), person("C-1")])
    assert rejected(incident, people).errors[1] == (
        "people.csv line 4: contractor_id: 'C-1' appears more than once (first on line 2)"
    )


def test_a_notice_code_repeated_in_a_later_chunk_names_its_first_line(incident, tmp_path):
    people = write_people(
        tmp_path / "people.csv",
        [person("C-1", notice_code=CODE_AMINA), person("C-2"), person("C-3", notice_code=CODE_AMINA.lower())],
    )
    assert rejected(incident, people).errors == ["people.csv line 4: notice_code: the same code is on line 2"]


def test_exposures_across_chunks_reach_people_on_file_and_in_the_file(incident, tmp_path):
    people = write_people(tmp_path / "people.csv", [person(f"C-{n}") for n in range(1, 6)])
    rows = [(f"C-{n}", category, "", "") for category in ("payment", "video") for n in (5, 1, 3, 2, 4)]
    exposures = write_exposures(tmp_path / "exposures.csv", [*rows, ("C-0001", "payment", "", "")])
    report = import_register(incident, people, exposures)
    assert (report.people_created, report.exposures_added) == (5, 11)


def test_exposure_problems_across_chunks_keep_their_lines_and_order(incident, tmp_path):
    people = write_people(tmp_path / "people.csv", [person("C-1"), person("C-2", country="XX"), person("C-3")])
    exposures = write_exposures(
        tmp_path / "exposures.csv",
        [
            ("C-1", "payment", "", ""),
            ("C-404", "payment", "", ""),  # line 3: in neither the register nor people.csv
            ("C-2", "payment", "", ""),  # a rejected people row: checked with a stand-in, not "unknown"
            ("C-3", "nope", "", ""),  # line 5
            ("C-1", "payment", "", ""),  # line 6: the same category again, two chunks later
            ("C-2", "payment", "", ""),  # line 7: again, for the stand-in
            ("C-0001", "video", "", ""),
            ("C-0001", "video", "", ""),  # line 9: again, for someone on file, in the next chunk
        ],
    )
    assert rejected(incident, people, exposures).errors == [
        "people.csv line 3: country: 'XX' is not an ISO 3166-1 alpha-2 country code",
        "exposures.csv line 3: contractor_id: 'C-404' is not in the register or in people.csv",
        "exposures.csv line 5: category: 'nope' is not a known category (address, communications, contact, "
        "credentials, date_of_birth, id_document, national_id, payment, resume, task_records, tax_form, video)",
        "exposures.csv line 6: category: 'payment' is given more than once for this contractor",
        "exposures.csv line 7: category: 'payment' is given more than once for this contractor",
        "exposures.csv line 9: category: 'video' is given more than once for this contractor",
    ]


def test_after_an_unreadable_people_file_unknown_contractors_are_still_checked_across_chunks(incident, tmp_path):
    # Long enough that the rows before the bad byte are read (the decoder works 8 kB at a time).
    people = write_people(tmp_path / "people.csv", [person(f"C-{n}") for n in range(100, 200)])
    people.write_bytes(people.read_bytes() + b"C-9,Ren\xe9,Dupont\n")
    exposures = write_exposures(
        tmp_path / "exposures.csv",
        [("C-8", "payment", "", ""), ("C-100", "video", "", ""), ("C-9", "video", "", ""), ("C-8", "payment", "", "")],
    )
    assert rejected(incident, people, exposures).errors == [
        "people.csv line 102: the file is not valid UTF-8 (save it as “CSV UTF-8”)",
        "exposures.csv line 5: category: 'payment' is given more than once for this contractor",
    ]


def test_a_read_problem_comes_after_the_problems_of_the_rows_before_it(incident, tmp_path, monkeypatch):
    monkeypatch.setattr("portal.imports.writers.EXPOSURE_CHUNK", 100)
    categories = (
        "payment",
        "video",
        "resume",
        "contact",
        "address",
        "tax_form",
        "national_id",
        "id_document",
        "credentials",
    )
    rows = [("C-0001", "nope", "", ""), *[("C-0001", category, "x" * 1000, "") for category in categories]]
    exposures = write_exposures(tmp_path / "exposures.csv", rows)  # 9 kB: the bad byte is in the second 8 kB
    exposures.write_bytes(exposures.read_bytes() + b"C-0001,contact,Ren\xe9,\n")
    assert [message.split(":")[0] for message in rejected(incident, None, exposures).errors] == [
        "exposures.csv line 2",
        "exposures.csv line 12",
    ]


def _scratch_left() -> int:
    """PostgreSQL: scratch tables still there. SQLite: rows in the scratch tables of the connection
    the test reads through. A temporary table belongs to one connection, and on SQLite a rejected
    import's may stay (empty) on a pooled connection other than this one, to be emptied again by the
    next import that gets it: what must never survive an import is their content."""
    if db.session.get_bind().dialect.name == "sqlite":
        tables = db.session.scalars(
            text("SELECT name FROM sqlite_temp_master WHERE type = 'table' AND name LIKE 'import_seen%'")
        ).all()
        return sum(db.session.scalar(text(f"SELECT count(*) FROM temp.{name}")) for name in tables)
    return db.session.scalar(
        text("SELECT count(*) FROM pg_class WHERE relname LIKE 'import_seen%' AND relpersistence = 't'")
    )


def test_the_scratch_tables_go_with_the_import(incident, tmp_path):
    people = write_people(tmp_path / "people.csv", [person(f"C-{n}") for n in range(5)])
    import_register(incident, people, None)
    assert _scratch_left() == 0
    rejected(incident, write_people(tmp_path / "bad.csv", [person("C-1"), person("C-1")]))
    assert _scratch_left() == 0

"""Importing good register files: what lands in the database, and that doing it twice changes nothing."""

import json
from datetime import date

import pytest
from sqlalchemy import select, text

from portal.constants import AuditAction, NoticeCodeSource
from portal.crypto import crypto, person_field_aad
from portal.crypto.notice_codes import normalize_notice_code, notice_code_hash
from portal.extensions import db
from portal.imports.service import ImportReport, import_register
from portal.models import AuditEvent, Exposure, NoticeCode, Person
from tests.factories import check_form, expose, make_incident, make_person
from tests.imports.registers import (
    CODE_AMINA,
    PEOPLE_HEADER,
    person,
    table_counts,
    write_exposures,
    write_people,
)


@pytest.fixture
def incident(app_ctx):
    return make_incident()


@pytest.fixture
def register(tmp_path):
    """Two people (one with a printed notice code) and three exposures."""
    people = write_people(
        tmp_path / "people.csv",
        [
            person("C-1001", notice_code=CODE_AMINA),
            person(
                "C-1002",
                first_name="João",
                last_name="Silva",
                country="BR",
                region="BR-SP",
                phone="",
                address_line1="",
                address_line2="",
                city="",
                postal_code="",
                national_id_last4="",
                preferred_language="pt-br",
                email="joao@example.org",
            ),
        ],
    )
    exposures = write_exposures(
        tmp_path / "exposures.csv",
        [
            ("C-1001", "payment", "bank account ending 4410", "2026-06-01"),
            ("C-1001", "national_id", "KRA PIN", ""),
            ("C-1002", "tax_form", "W-8BEN", "2026-05-30"),
        ],
    )
    return people, exposures


def test_good_files_create_people_exposures_and_notice_codes(incident, register):
    report = import_register(incident, *register)
    assert report == ImportReport(
        people_created=2, people_updated=0, exposures_added=3, exposures_updated=0, notice_codes_added=1
    )
    amina = db.session.scalar(select(Person).where(Person.contractor_id == "C-1001"))
    assert (amina.first_name, amina.last_name, amina.country, amina.region) == ("Amina", "Okafor", "KE", "KE-30")
    assert amina.email_bidx == crypto().email_index("C-1001@example.org")
    assert amina.date_of_birth == date(1990, 3, 27)
    assert {e.category for e in amina.exposures} == {"payment", "national_id"}
    joao = db.session.scalar(select(Person).where(Person.contractor_id == "C-1002"))
    assert joao.preferred_language == "pt-BR"  # canonical BCP 47 casing
    assert joao.phone_enc is None and joao.address_enc is None and joao.national_id_last4_enc is None
    code = db.session.scalar(select(NoticeCode))
    assert code.person_id == amina.id and code.incident_id == incident.id and code.source == NoticeCodeSource.IMPORT
    assert code.code_hash == notice_code_hash(normalize_notice_code(CODE_AMINA))


def test_an_imported_person_can_check_in_with_the_printed_code(app, client, incident, register):
    import_register(incident, *register)
    response = client.post("/check", data=check_form(CODE_AMINA.lower(), "okafor", "1990-03-27"))
    assert response.status_code == 302 and response.location.endswith("/my")
    assert b"bank account ending 4410" in client.get("/my").data


def test_sensitive_fields_are_stored_as_ciphertext_bound_to_the_person(incident, register):
    import_register(incident, *register)
    uid, phone, address, born, last4 = db.session.execute(
        text(
            "SELECT uid, phone_enc, address_enc, date_of_birth_enc, national_id_last4_enc FROM person "
            "WHERE contractor_id = 'C-1001'"
        )
    ).one()
    raw = " ".join((phone, address, born, last4))
    for plaintext in ("700 123456", "254", "Moi Avenue", "Nairobi", "00100", "1990-03-27", "4410"):
        assert plaintext not in raw
    cipher = crypto().cipher
    assert cipher.decrypt(phone, person_field_aad(uid, "phone")) == "+254 700 123456"
    assert cipher.decrypt(born, person_field_aad(uid, "date_of_birth")) == "1990-03-27"
    assert cipher.decrypt(last4, person_field_aad(uid, "national_id_last4")) == "4410"
    assert json.loads(cipher.decrypt(address, person_field_aad(uid, "address"))) == {
        "line1": "14 Moi Avenue",
        "line2": "Flat 3",
        "city": "Nairobi",
        "postal_code": "00100",
    }


def test_importing_the_same_files_again_changes_nothing(incident, register):
    import_register(incident, *register)
    before = db.session.execute(text("SELECT * FROM person ORDER BY id")).all()
    exposures_before = db.session.execute(text("SELECT * FROM exposure ORDER BY id")).all()
    report = import_register(incident, *register)
    assert report == ImportReport()  # all zero
    assert db.session.execute(text("SELECT * FROM person ORDER BY id")).all() == before
    assert db.session.execute(text("SELECT * FROM exposure ORDER BY id")).all() == exposures_before
    assert db.session.scalar(select(db.func.count()).select_from(NoticeCode)) == 1


def test_reimport_updates_changed_people_and_keeps_their_uid(incident, register, tmp_path):
    people, _ = register
    import_register(incident, people, None)
    uid = db.session.scalar(select(Person.uid).where(Person.contractor_id == "C-1001"))
    changed = write_people(
        tmp_path / "people2.csv",
        [
            person("C-1001", notice_code=CODE_AMINA, city="Mombasa", date_of_birth="1990-03-28"),
            person(
                "C-1002",
                first_name="João",
                last_name="Silva",
                country="BR",
                region="BR-SP",
                phone="",
                address_line1="",
                address_line2="",
                city="",
                postal_code="",
                national_id_last4="",
                preferred_language="pt-br",
                email="joao@example.org",
            ),
        ],
    )
    report = import_register(incident, changed, None)
    assert (report.people_created, report.people_updated, report.notice_codes_added) == (0, 1, 0)
    db.session.expire_all()
    amina = db.session.scalar(select(Person).where(Person.contractor_id == "C-1001"))
    assert amina.uid == uid
    assert json.loads(amina.decrypt_field("address"))["city"] == "Mombasa"
    assert amina.date_of_birth == date(1990, 3, 28)


def test_an_exposure_found_later_is_added_and_a_known_one_is_not_duplicated(incident, register, tmp_path):
    import_register(incident, *register)
    later = write_exposures(
        tmp_path / "later.csv",
        [
            ("C-1001", "payment", "bank account ending 4410", "2026-06-01"),  # unchanged
            ("C-1001", "national_id", "KRA PIN A123", ""),  # detail changed
            ("C-1001", "video", "2 interview recordings", "2026-06-02"),  # new
        ],
    )
    report = import_register(incident, None, later)
    assert (report.exposures_added, report.exposures_updated, report.people_created) == (1, 1, 0)
    rows = db.session.execute(
        select(Exposure.category, Exposure.detail)
        .join(Person)
        .where(Person.contractor_id == "C-1001")
        .order_by(Exposure.category)
    ).all()
    assert rows == [
        ("national_id", "KRA PIN A123"),
        ("payment", "bank account ending 4410"),
        ("video", "2 interview recordings"),
    ]


def test_exposures_can_name_people_already_in_the_register(incident, tmp_path):
    existing = make_person("C-7")
    expose(existing, incident, "address", "home address")
    exposures = write_exposures(
        tmp_path / "exposures.csv", [("C-7", "address", "home address", ""), ("C-7", "resume", "CV", "")]
    )
    report = import_register(incident, None, exposures)
    assert (report.exposures_added, report.exposures_updated) == (1, 0)


def test_the_same_person_in_two_incidents_is_one_person(incident, register):
    other = make_incident(slug="second-breach")
    import_register(incident, *register)
    report = import_register(other, *register)
    assert (report.people_created, report.exposures_added) == (0, 3)
    assert table_counts()["person"] == 2


def test_a_file_with_a_byte_order_mark_imports(incident, tmp_path):
    people = write_people(tmp_path / "people.csv", [person("C-1")], encoding="utf-8-sig")
    assert people.read_bytes().startswith(b"\xef\xbb\xbf")
    assert import_register(incident, people, None).people_created == 1


def test_columns_may_come_in_any_order_and_notice_code_is_optional(incident, tmp_path):
    header = list(reversed([c for c in PEOPLE_HEADER if c != "notice_code"]))
    people = write_people(tmp_path / "people.csv", [person("C-1")], header=header)
    exposures = write_exposures(
        tmp_path / "exposures.csv",
        [("resume", "C-1", "2026-01-02", "CV")],
        header=["category", "contractor_id", "exposed_at", "detail"],
    )
    report = import_register(incident, people, exposures)
    assert (report.people_created, report.exposures_added) == (1, 1)
    assert db.session.scalar(select(Exposure.exposed_at)) == date(2026, 1, 2)


def test_a_multi_line_quoted_field_is_one_row(incident, tmp_path):
    people = write_people(tmp_path / "people.csv", [person("C-1", address_line2="Block B\nSecond floor")])
    import_register(incident, people, None)
    amina = db.session.scalar(select(Person))
    assert json.loads(amina.decrypt_field("address"))["line2"] == "Block B\nSecond floor"


def test_the_import_is_audited_with_counts_and_file_hashes_only(incident, register):
    import_register(incident, *register)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == AuditAction.REGISTER_IMPORTED))
    assert event.target == f"incident:{incident.id}" and event.actor == "cli"
    details = json.loads(event.details)
    assert details["people_created"] == 2 and details["exposures_added"] == 3
    assert len(details["people_file"]["sha256"]) == 64 and details["exposures_file"]["rows"] == 3
    for personal in ("Okafor", "example.org", "1990", "4410", CODE_AMINA, "Nairobi"):
        assert personal not in event.details


def test_progress_is_reported_in_bytes_read(incident, register):
    seen = []
    import_register(incident, *register, progress=seen.append)
    assert sum(seen) == sum(path.stat().st_size for path in register)


def test_chunks_larger_than_one_batch_are_all_written(incident, tmp_path, monkeypatch):
    monkeypatch.setattr("portal.imports.writers.PEOPLE_CHUNK", 7)
    monkeypatch.setattr("portal.imports.writers.EXPOSURE_CHUNK", 11)
    people = write_people(
        tmp_path / "people.csv", [person(f"C-{n}", notice_code=f"{n:04d}-AAAA-BBBB") for n in range(1000, 1050)]
    )
    exposures = write_exposures(
        tmp_path / "exposures.csv",
        [(f"C-{n}", category, "", "") for n in range(1000, 1050) for category in ("payment", "video", "resume")],
    )
    report = import_register(incident, people, exposures)
    assert (report.people_created, report.exposures_added, report.notice_codes_added) == (50, 150, 50)
    assert import_register(incident, people, exposures) == ImportReport()


def test_the_import_leaves_the_connection_as_it_found_it(incident, register):
    """SQLite: the larger page cache is put back. PostgreSQL: the import lock ends with the transaction."""
    on_sqlite = db.session.get_bind().dialect.name == "sqlite"
    # pg_locks lists the whole server's locks: only this database's count (other databases may be
    # another checkout's tests, taking their own import locks meanwhile).
    advisory = (
        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' "
        "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
    )
    check = text("PRAGMA cache_size" if on_sqlite else advisory)
    before = db.session.execute(check).scalar()
    import_register(incident, *register)
    assert db.session.execute(check).scalar() == before

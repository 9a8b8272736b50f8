"""What the letter vendor reports: notices mailed outside the portal, and returned letters; imported
whole or not at all, then counted by the declaration and the regulator report."""

import json

import pytest
from sqlalchemy import func, select

from portal.batches.audience import (
    Audience,
)
from portal.constants import NotificationStatus as S
from portal.constants import Reminder, Role
from portal.core.time import utcnow
from portal.dao.audience import audience_conditions
from portal.extensions import db
from portal.legal.declaration import OUTCOMES, build_declaration
from portal.legal.regulator import regulator_report
from portal.models import AuditEvent, ContactChange, OutsideNotice, Person, ReturnedLetter
from tests.factories import expose, make_incident, make_person, sign_in_staff
from tests.legal.support import make_batch, notify


@pytest.fixture
def incident(app_ctx):
    return make_incident()


@pytest.fixture
def people(incident):
    result = []
    for n in range(6):
        person = make_person(f"V-{n}", country="US", region="US-CA")
        expose(person, incident, "contact")
        result.append(person)
    return result


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def test_vendor_mailed_notices_count_as_notified_and_returned_letters_as_undeliverable(
    runner, tmp_path, incident, people
):
    # Before: nobody notified.
    before = build_declaration(incident)
    assert before.outcomes["never_sent"] == 6
    notices = "contractor_id,channel,sent_on\nV-0,letter,2026-10-20\nV-1,letter,2026-10-20\nV-2,email,2026-10-21\n"
    result = runner.invoke(
        args=["portal", "import-outside-notices", "--incident", incident.slug, write(tmp_path, "n.csv", notices)]
    )
    assert result.exit_code == 0, result.output
    # A portal letter batch too, whose letter to V-3 came back, as did the vendor's letter to V-1.
    letters = make_batch(incident, "letter", "Letters")
    notify(letters, people[3], S.ACCEPTED)
    returns = "contractor_id,returned_on,reason\nV-1,2026-11-02,Moved away\nV-3,2026-11-03,No such street\n"
    result = runner.invoke(
        args=["portal", "import-returned-letters", "--incident", incident.slug, write(tmp_path, "r.csv", returns)]
    )
    assert result.exit_code == 0, result.output

    declaration = build_declaration(incident)
    outcomes = declaration.outcomes
    assert outcomes["sent_by_letter"] == 1  # V-0; V-1 and V-3 came back
    assert outcomes["accepted_by_email"] == 1  # V-2, emailed by the vendor
    assert outcomes["not_reached"] == 2  # V-1, V-3
    assert outcomes["never_sent"] == 2  # V-4, V-5
    assert outcomes["notified_outside_portal"] == 3 and outcomes["letters_returned"] == 2
    assert sum(outcomes[key] for key, _ in OUTCOMES) == outcomes["register"] == 6 and declaration.reconciles

    # The regulator report counts the same people notified: V-0 (vendor letter) and V-2 (vendor email).
    [california] = regulator_report(incident).lines
    assert (california.residents, california.notified) == (6, 2)


def test_a_bad_file_is_refused_whole_with_line_numbers(runner, tmp_path, incident, people):
    make_person("NOT-IN-INCIDENT")
    text = (
        "contractor_id,channel,sent_on\n"
        "V-0,letter,2026-10-20\n"
        "V-404,letter,2026-10-20\n"
        "NOT-IN-INCIDENT,email,2026-10-20\n"
        "V-1,fax,2026-10-20\n"
        "V-2,letter,20/10/2026\n"
        "V-3,letter,2999-01-01\n"
    )
    result = runner.invoke(
        args=["portal", "import-outside-notices", "--incident", incident.slug, write(tmp_path, "n.csv", text)]
    )
    assert result.exit_code == 1
    for expected in (
        "Line 3: there is no contractor with ID V-404",
        "Line 4: contractor NOT-IN-INCIDENT is not affected",
        "Line 5: channel must be letter or email",
        "Line 6: sent_on must be a date",
        "Line 7: sent_on is in the future",
        "Nothing was imported",
    ):
        assert expected in result.output, result.output
    assert count(OutsideNotice) == 0
    wrong_header = runner.invoke(
        args=[
            "portal",
            "import-returned-letters",
            "--incident",
            incident.slug,
            write(tmp_path, "r.csv", "id,date\nV-0,2026-10-01\n"),
        ]
    )
    assert (
        wrong_header.exit_code == 1
        and "Line 1: the columns must be contractor_id, returned_on, reason" in wrong_header.output
    )


def test_importing_the_same_file_again_adds_nothing_and_each_import_is_audited(runner, tmp_path, incident, people):
    path = write(tmp_path, "n.csv", "contractor_id,channel,sent_on\nV-0,letter,2026-10-20\n")
    for _ in range(2):
        assert (
            runner.invoke(args=["portal", "import-outside-notices", "--incident", incident.slug, path]).exit_code == 0
        )
    assert count(OutsideNotice) == 1
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "outside_notices.imported")).all()
    assert [json.loads(e.details)["added"] for e in events] == [1, 0]


def test_admins_import_on_the_staff_page_and_support_cannot(app, incident, people):
    import io

    admin = app.test_client()
    sign_in_staff(admin, Role.ADMIN)
    admin.get("/staff/vendor-import")
    data = {
        "incident_id": str(incident.id),
        "kind": "returns",
        "file": (io.BytesIO(b"contractor_id,returned_on,reason\nV-0,2026-11-01,Moved\n"), "returns.csv"),
    }
    answer = admin.post("/staff/vendor-import", data=data, content_type="multipart/form-data")
    assert answer.status_code == 302
    assert count(ReturnedLetter) == 1
    bad = {**data, "file": (io.BytesIO(b"contractor_id,returned_on,reason\nV-9,2026-11-01,x\n"), "returns.csv")}
    refused = admin.post("/staff/vendor-import", data=bad, content_type="multipart/form-data")
    assert refused.status_code == 400 and "Line 2: there is no contractor with ID V-9" in refused.get_data(as_text=True)
    support = app.test_client()
    sign_in_staff(support, Role.SUPPORT)
    assert support.get("/staff/vendor-import").status_code == 403


def test_returned_letters_become_a_remailing_audience_once_the_address_is_updated(incident, people):
    for person in people[:2]:
        db.session.add(
            ReturnedLetter(incident_id=incident.id, person_id=person.id, returned_on=utcnow().date(), import_sha256="x")
        )
    db.session.add(
        ContactChange(
            uid="c1", person_id=people[0].id, kind="address", status="applied", new_value_enc="-", applied_at=utcnow()
        )
    )
    db.session.commit()
    conditions = audience_conditions(incident.id, "letter", Audience(reminder=Reminder.RETURNED_ADDRESS_UPDATED))
    chosen = set(db.session.scalars(select(Person.contractor_id).where(*conditions)))
    assert chosen == {"V-0"}

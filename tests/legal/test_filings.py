"""Regulator filings: recorded, shown in the report in place of the deadline, corrected, removed."""

import csv
import io
from datetime import date

import pytest

from portal.constants import AuditAction, Role
from portal.extensions import db
from portal.legal.filings import FilingError, record_filing, remove_filing
from portal.legal.regulator import regulator_csv, regulator_report
from portal.models import AuditEvent, RegulatorFiling
from tests.factories import make_incident, make_staff_user, sign_in_staff
from tests.legal.support import bulk_residents

DISCOVERED = date(2026, 10, 1)
LATER = date(2026, 11, 5)  # Kenya's Data Commissioner was due on 3 October (72 hours)


@pytest.fixture
def incident(app_ctx):
    incident = make_incident(discovered_on=DISCOVERED)
    bulk_residents(incident, 2, "KE")
    bulk_residents(incident, 501, "US", "US-CA")
    return incident


def kenya(report):
    return next(line for line in report.lines if line.jurisdiction.code == "KE")


def events(action) -> list[AuditEvent]:
    return db.session.query(AuditEvent).filter_by(action=action).order_by(AuditEvent.id).all()


def test_a_recorded_filing_takes_the_place_of_its_deadline(incident):
    before = kenya(regulator_report(incident, today=LATER))
    assert before.obligations[0].state == "overdue" and before.overdue
    record_filing(
        incident, "KE", "regulator", date(2026, 10, 2), " ODPC/2026/0117 ", "", make_staff_user("legal").id, today=LATER
    )
    report = regulator_report(incident, today=LATER)
    commissioner = kenya(report).obligations[0]
    assert commissioner.state == "filed" and commissioner.filing.reference == "ODPC/2026/0117"
    assert not kenya(report).overdue and report.lines[0].jurisdiction.code == "US-CA"  # still late: residents
    rows = list(csv.DictReader(io.StringIO(regulator_csv(report))))
    ke = next(row for row in rows if row["jurisdiction"] == "KE")
    assert (ke["filing_state"], ke["filed_on"], ke["filing_reference"]) == ("filed", "2026-10-02", "ODPC/2026/0117")
    ca = next(row for row in rows if row["jurisdiction"] == "US-CA")  # its AG's deadline runs from the notices
    assert (ca["filing_state"], ca["filed_on"]) == ("no_fixed_deadline", "")
    (event,) = events(AuditAction.REGULATOR_FILING_RECORDED)
    assert event.target == f"incident:{incident.id}" and '"replaced": false' in event.details


def test_recording_again_corrects_and_removing_counts_down_again(incident):
    staff = make_staff_user("legal").id
    record_filing(incident, "KE", "regulator", date(2026, 10, 2), "A-1", "", staff, today=LATER)
    record_filing(incident, "KE", "regulator", date(2026, 10, 3), "A-2", "by email", staff, today=LATER)
    (filing,) = db.session.query(RegulatorFiling).all()
    assert (filing.filed_on, filing.reference, filing.note) == (date(2026, 10, 3), "A-2", "by email")
    assert ['"replaced": true' in e.details for e in events(AuditAction.REGULATOR_FILING_RECORDED)] == [False, True]
    assert remove_filing(incident, "KE", "regulator") and not remove_filing(incident, "KE", "regulator")
    assert kenya(regulator_report(incident, today=LATER)).obligations[0].state == "overdue"
    assert len(events(AuditAction.REGULATOR_FILING_REMOVED)) == 1


@pytest.mark.parametrize(
    ("code", "who", "filed_on", "message"),
    [
        ("KE", "regulator", date(2026, 11, 6), "cannot be in the future"),
        ("KE", "regulator", date(2026, 9, 30), "before the incident was discovered (2026-10-01)"),
        ("KE", "attorney_general", date(2026, 10, 2), "no such notice for KE"),
        ("ZZ", "regulator", date(2026, 10, 2), "no such notice for ZZ"),
    ],
)
def test_a_filing_that_cannot_be_right_is_refused_and_nothing_is_saved(incident, code, who, filed_on, message):
    with pytest.raises(FilingError, match=message.replace("(", r"\(").replace(")", r"\)")):
        record_filing(incident, code, who, filed_on, "", "", make_staff_user("legal").id, today=LATER)
    assert db.session.query(RegulatorFiling).count() == 0 and not events(AuditAction.REGULATOR_FILING_RECORDED)


def test_the_reference_is_neutralised_in_the_csv(incident):
    record_filing(
        incident, "KE", "regulator", date(2026, 10, 2), '=HYPERLINK("x")', "", make_staff_user("legal").id, today=LATER
    )
    rows = list(csv.DictReader(io.StringIO(regulator_csv(regulator_report(incident, today=LATER)))))
    assert next(row for row in rows if row["jurisdiction"] == "KE")["filing_reference"] == '\'=HYPERLINK("x")'


def filing_url(incident, code="KE", who="regulator") -> str:
    return f"/staff/legal/regulator/filing?incident={incident.id}&jurisdiction={code}&who={who}"


def test_legal_staff_record_a_filing_from_the_report(client, incident):
    sign_in_staff(client, Role.LEGAL)
    report = client.get(f"/staff/legal/regulator?incident={incident.id}").get_data(as_text=True)
    assert filing_url(incident).replace("&", "&amp;") in report and "Record the filing" in report
    form = client.get(filing_url(incident)).get_data(as_text=True)
    assert "Office of the Data Protection Commissioner" in form and "72 hours of discovery" in form
    bad = client.post(filing_url(incident), data={"filed_on": "2026-02-30", "reference": "R-9"})
    assert bad.status_code == 200 and "Enter a real date" in bad.get_data(as_text=True)
    early = client.post(filing_url(incident), data={"filed_on": "2026-09-01", "reference": "R-9"})
    assert "before the incident was discovered" in early.get_data(as_text=True)
    assert db.session.query(RegulatorFiling).count() == 0
    saved = client.post(filing_url(incident), data={"filed_on": "2026-10-02", "reference": "R-9", "note": ""})
    assert saved.status_code == 302 and saved.location.endswith(f"/staff/legal/regulator?incident={incident.id}")
    page = client.get(saved.location).get_data(as_text=True)
    assert "Filed</strong> 2026-10-02" in page and "R-9" in page and "Change the record" in page
    assert "2026-10-02" in client.get(filing_url(incident)).get_data(as_text=True)  # the form shows the record
    removed = client.post(f"/staff/legal/regulator/filing/remove?incident={incident.id}&jurisdiction=KE&who=regulator")
    assert removed.status_code == 302 and db.session.query(RegulatorFiling).count() == 0


def test_unknown_obligations_and_incidents_are_not_found(client, incident):
    sign_in_staff(client, Role.LEGAL)
    assert client.get(filing_url(incident, who="attorney_general")).status_code == 404
    assert client.get(filing_url(incident, code="XX")).status_code == 404
    assert client.get("/staff/legal/regulator/filing?incident=999999&jurisdiction=KE&who=regulator").status_code == 404


@pytest.mark.parametrize("role", [Role.ADMIN, Role.SUPPORT, Role.AUDITOR])
def test_only_legal_staff_record_filings(client, incident, role):
    sign_in_staff(client, role)
    assert client.get(filing_url(incident)).status_code == 403
    assert client.post(filing_url(incident), data={"filed_on": "2026-10-02"}).status_code == 403
    remove = f"/staff/legal/regulator/filing/remove?incident={incident.id}&jurisdiction=KE&who=regulator"
    assert client.post(remove).status_code == 403
    if role == Role.ADMIN:  # reads the report, without the links
        report = client.get(f"/staff/legal/regulator?incident={incident.id}").get_data(as_text=True)
        assert "OVERDUE" in report and "Record the filing" not in report
    assert db.session.query(RegulatorFiling).count() == 0

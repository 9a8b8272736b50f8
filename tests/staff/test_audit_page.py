"""The audit page: filters, paging, actor names, readable details, and an export that is audited itself."""

import csv
import io
from datetime import UTC, datetime

from sqlalchemy import select, text

from portal.audit.chain import record_audit
from portal.constants import AuditAction, Role
from portal.extensions import db
from portal.models import AuditEvent
from tests.factories import sign_in_staff


def _seed(staff_id: int) -> None:
    for n in range(60):
        record_audit(AuditAction.PERSON_VIEWED, f"person:p{n % 3}", {"n": n}, actor=f"staff:{staff_id}")
    record_audit(AuditAction.BATCH_APPROVED, "batch:7", {"count": 12, "note": "x;=HYPERLINK(1)"}, actor="cli")
    db.session.commit()


def test_filters_page_and_names(app_ctx, client):
    auditor = sign_in_staff(client, Role.AUDITOR)
    _seed(auditor.id)
    page = client.get("/staff/audit?target_type=person&target_id=p1").get_data(as_text=True)
    assert "20 events" in page and auditor.email in page and f">staff:{auditor.id}<" not in page
    page = client.get("/staff/audit?action=batch.approved").get_data(as_text=True)
    assert "1 event" in page and "<dt>count</dt><dd>12</dd>" in page
    everything = client.get("/staff/audit").get_data(as_text=True)
    assert "Page 1 of 2" in everything
    assert client.get("/staff/audit?page=2").status_code == 200
    assert client.get("/staff/audit?page=3").status_code == 404
    page = client.get(f"/staff/audit?actor=staff:{auditor.id}&action=person.viewed").get_data(as_text=True)
    assert "60 events" in page


def test_date_range_is_whole_utc_days(app_ctx, client):
    sign_in_staff(client, Role.ADMIN)
    record_audit(AuditAction.PERSON_VIEWED, "person:old", actor="cli")
    db.session.commit()
    db.session.execute(
        text("UPDATE audit_event SET at = :at WHERE target = 'person:old'"),
        {"at": datetime(2026, 3, 27, 23, 59, tzinfo=UTC)},
    )
    db.session.commit()
    page = client.get("/staff/audit?date_from=2026-03-27&date_to=2026-03-27").get_data(as_text=True)
    assert "1 event" in page and "person:old" in page
    assert "0 events" in client.get("/staff/audit?date_from=2026-03-28&date_to=2026-03-30").get_data(as_text=True)
    bad = client.get("/staff/audit?date_from=27/03/2026")
    assert bad.status_code == 400 and "Enter a real date" in bad.get_data(as_text=True)


def test_export_is_filtered_neutralised_and_audited(app_ctx, client):
    auditor = sign_in_staff(client, Role.AUDITOR)
    _seed(auditor.id)
    client.get("/staff/audit")
    response = client.post("/staff/audit/export", data={"target_type": "batch", "action": ""})
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][0] == "seq" and len(rows) == 2
    assert rows[1][4] == "batch.approved" and rows[1][2] == "cli"
    # A separator then "=": a spreadsheet splitting on ";" would run it; the export quotes it inert.
    assert '"note": "x;\'=HYPERLINK(1)"' in rows[1][7]
    exported = db.session.scalar(select(AuditEvent).where(AuditEvent.action == AuditAction.AUDIT_EXPORTED))
    assert exported.actor == f"staff:{auditor.id}" and '"rows": 1' in exported.details


def test_support_and_legal_cannot_read_the_log(app_ctx, client):
    sign_in_staff(client, Role.SUPPORT)
    assert client.get("/staff/audit").status_code == 403

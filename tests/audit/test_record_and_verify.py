"""The audit log is a keyed hash chain: viewing a person leaves a row, and changing any row is detected."""

import pytest
from sqlalchemy import select, text

from portal.audit.chain import record_audit, verify_audit_chain
from portal.constants import AuditAction, Role
from portal.extensions import db
from portal.models import AuditEvent
from tests.factories import make_person, sign_in_staff


def test_viewing_a_person_writes_an_audit_row_and_the_chain_verifies(app_ctx, client):
    staff = sign_in_staff(client, Role.LEGAL)
    person = make_person("C-1001")
    assert client.get(f"/staff/people/{person.uid}").status_code == 200
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == AuditAction.PERSON_VIEWED))
    assert (event.actor, event.target, event.ip) == (f"staff:{staff.id}", f"person:{person.uid}", "127.0.0.1")
    assert verify_audit_chain() is None


@pytest.mark.parametrize("column", ["details", "actor", "target"])
def test_tampering_with_a_row_is_found(app_ctx, column):
    for n in range(5):
        record_audit(AuditAction.PERSON_VIEWED, f"person:{n}", {"n": n}, actor="staff:1")
    db.session.commit()
    assert verify_audit_chain() is None
    db.session.execute(text(f"UPDATE audit_event SET {column} = 'forged' WHERE seq = 3"))
    db.session.commit()
    assert verify_audit_chain() == 3


def test_deleting_a_row_is_found_by_the_gap_it_leaves(app_ctx):
    for n in range(4):
        record_audit(AuditAction.PERSON_VIEWED, f"person:{n}", actor="staff:1")
    db.session.commit()
    db.session.execute(text("DELETE FROM audit_event WHERE seq = 2"))
    db.session.commit()
    assert verify_audit_chain() == 2


def test_the_audit_page_shows_events_and_whether_the_chain_is_intact(app_ctx, client):
    sign_in_staff(client, Role.AUDITOR)
    page = client.get("/staff/audit").get_data(as_text=True)
    assert "The hash chain is intact" in page and AuditAction.STAFF_SIGNED_IN in page
    record_audit(AuditAction.PERSON_VIEWED, "person:x", actor="staff:1")
    db.session.commit()
    newest = db.session.scalar(select(AuditEvent.seq).order_by(AuditEvent.seq.desc()).limit(1))
    db.session.execute(text("UPDATE audit_event SET details = 'forged' WHERE seq = :seq"), {"seq": newest})
    db.session.commit()
    page = client.get("/staff/audit").get_data(as_text=True)
    assert f"The hash chain is broken at event {newest}" in page

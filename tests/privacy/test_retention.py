"""The retention schedule: exactly what is due is purged, nothing under a legal hold, on both databases."""

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select, update

from portal.audit.chain import verify_audit_chain
from portal.batches.letters import letters_folder
from portal.claims.proof_files import upload_folder
from portal.constants import AuditAction, ClaimStatus, Role
from portal.extensions import db
from portal.models import (
    AuditEvent,
    Batch,
    Claim,
    ClaimBenefit,
    ClaimStatusChange,
    LegalHold,
    NoticeCode,
    OutboxMessage,
)
from portal.privacy.retention import purge
from portal.privacy.schedule import schedule_for
from tests.conftest import ON_POSTGRES
from tests.factories import make_batch_with_notifications, make_incident, make_staff_user, sign_in_staff
from tests.live import at_once
from tests.privacy.support import make_someone
from tests.privacy.test_erasure import traces

PAID_ON = datetime(2026, 2, 1, 12, tzinfo=UTC)


def settled_incident(slug: str, tag: str):
    incident = make_incident(slug, title=f"Breach {tag}", claim_deadline=date(2026, 1, 1))
    someone = make_someone(incident, tag)
    db.session.execute(
        update(ClaimStatusChange).where(ClaimStatusChange.claim_id == someone.claim.id).values(at=PAID_ON)
    )
    db.session.commit()
    return incident, someone


def add_letter_file(incident) -> None:
    batch = make_batch_with_notifications(0, incident=incident, status="sent")
    batch.letter_file, batch.letter_sha256 = f"letters-{incident.id}.enc", "f" * 64
    letters_folder().mkdir(parents=True, exist_ok=True)
    (letters_folder() / batch.letter_file).write_text("sealed names and addresses")
    db.session.commit()


def letter_files() -> list[str]:
    return sorted(db.session.scalars(select(Batch.letter_file).where(Batch.letter_file != "")))


@pytest.fixture
def world(app_ctx):
    for leftover in [*upload_folder().iterdir(), *letters_folder().glob("letters-*")]:
        leftover.unlink()
    free, kept = settled_incident("free", "FRE1"), settled_incident("held", "HLD2")
    for incident, _ in (free, kept):
        add_letter_file(incident)
    db.session.add(LegalHold(incident_id=kept[0].id, reason="Smith v. Vendor", set_by_id=make_staff_user("legal").id))
    db.session.commit()
    return free, kept


def codes_of(incident) -> int:
    return db.session.scalar(select(func.count()).select_from(NoticeCode).where(NoticeCode.incident_id == incident.id))


def test_the_schedule_follows_the_claims_deadline_and_the_last_payment(world):
    (incident, _), _ = world
    due = {row.kind.code: row.on for row in schedule_for(incident, date(2026, 6, 1))}
    assert due["notice_codes"] == date(2026, 6, 30)  # claims deadline + 180 days
    assert due["payment_details"] == date(2026, 5, 2)  # last payment + 90 days
    assert due["proof_files"] == date(2026, 7, 31)
    assert due["register"] == date(2028, 2, 1)
    assert due["letter_files"] == date(2026, 1, 31)
    assert due["outbox"] is None


def test_an_open_claim_leaves_the_payment_dates_unknown(app_ctx):
    incident = make_incident("open", claim_deadline=date(2026, 1, 1))
    make_someone(incident, "OPN3", paid=False)
    rows = {row.kind.code: row for row in schedule_for(incident, date(2030, 1, 1))}
    assert rows["payment_details"].on is None and "claims still open" in rows["payment_details"].waiting_for
    assert rows["notice_codes"].on == date(2026, 6, 30)


def test_only_what_is_due_goes_and_a_held_incident_is_refused(world):
    (free, amina), (_held, kept) = world
    report = purge(date(2026, 6, 1))
    assert report.removed == {f"incident:{free.id}": {"letter_files": 1, "payment_details": 1, "files": 1}}
    assert any("under a legal hold (Smith v. Vendor)" in line for line in report.refused)
    db.session.expire_all()
    assert db.session.get(Claim, amina.claim.id).payment_details_enc is None
    assert db.session.get(Claim, kept.claim.id).payment_details_enc is not None  # held
    assert codes_of(free) == 1 and (upload_folder() / amina.stored_name).exists()  # not yet due


def test_everything_due_goes_and_held_data_stays_whole(world):
    (free, amina), (held, kept) = world
    details = [amina.first_name, amina.email, amina.phone, amina.birth_date, amina.address_line]
    kept_details = [kept.first_name, kept.email, kept.phone, kept.birth_date, kept.address_line]
    report = purge(date(2028, 3, 1))
    counts = report.removed[f"incident:{free.id}"]
    assert counts["register"] == 1 and counts["notice_codes"] == 1 and counts["letter_files"] == 1
    assert counts["files"] == 2  # the proof and the letter file
    assert letter_files() == [f"letters-{held.id}.enc"]
    assert sorted(p.name for p in letters_folder().iterdir() if p.name.startswith("letters-")) == letter_files()
    db.session.expire_all()
    for needle in details:
        assert traces(needle) == [], needle
    assert db.session.get(Claim, amina.claim.id).status == ClaimStatus.PAID
    assert db.session.scalar(select(ClaimBenefit.amount_cents).where(ClaimBenefit.claim_id == amina.claim.id)) == 12345
    for needle in kept_details:
        assert traces(needle), needle
    assert codes_of(held) == 1 and (upload_folder() / kept.stored_name).exists()
    # The outbox is not tied to an incident: any hold keeps all of it.
    assert any(line.startswith("outbox:") for line in report.refused)
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 1  # the held person's
    assert verify_audit_chain() is None
    purged = db.session.scalars(select(AuditEvent).where(AuditEvent.action == AuditAction.RETENTION_PURGED)).all()
    assert [e.target for e in purged] == [f"incident:{free.id}"]

    # A second run finds nothing more to do, and says nothing in the audit log.
    assert purge(date(2028, 3, 1)).removed == {}
    assert db.session.scalar(select(func.count()).where(AuditEvent.action == AuditAction.RETENTION_PURGED)) == 1


def test_the_command_reports_and_legal_sets_and_lifts_holds(app, runner, world):
    (free, _), (held, kept) = world
    result = runner.invoke(args=["portal", "purge", "--today", "2028-03-01"])
    assert result.exit_code == 0, result.output
    assert f"incident:{free.id}: register 1" in result.output
    assert f"REFUSED incident:{held.id} is under a legal hold (Smith v. Vendor)" in result.output

    admin = app.test_client()
    sign_in_staff(admin, Role.ADMIN)
    page = admin.get("/staff/privacy/retention").get_data(as_text=True)
    assert "Smith v. Vendor" in page and "2028-02-01" in page and "Set a legal hold" not in page
    assert admin.post(f"/staff/privacy/retention/{held.id}/lift").status_code == 403
    legal = app.test_client()
    sign_in_staff(legal, Role.LEGAL)
    legal.get("/staff/privacy/retention")
    assert legal.post(f"/staff/privacy/retention/{held.id}/lift").status_code == 302
    assert (
        legal.post(f"/staff/privacy/retention/{free.id}/hold", data={"reason": "Regulator inquiry"}).status_code == 302
    )
    assert db.session.scalars(select(LegalHold.incident_id)).all() == [free.id]
    result = runner.invoke(args=["portal", "purge", "--today", "2028-03-01"])
    assert f"incident:{held.id}: register 1" in result.output
    db.session.expire_all()
    assert traces(kept.email) == []


@pytest.mark.postgres_only
@pytest.mark.skipif(not ON_POSTGRES, reason="needs real concurrent writers (PostgreSQL)")
def test_two_purges_at_once_remove_everything_once(app, world):
    (free, amina), _ = world

    def run(_index):
        with app.app_context():
            try:
                return purge(date(2028, 3, 1), actor="cli" if _index else "system")
            finally:
                db.session.remove()

    reports = at_once(4, run)
    assert not [r for r in reports if isinstance(r, Exception)], reports
    removed = [r.removed[f"incident:{free.id}"] for r in reports if f"incident:{free.id}" in r.removed]
    assert len(removed) == 1 and removed[0]["register"] == 1, [r.removed for r in reports]
    count = select(func.count()).select_from(AuditEvent)
    assert db.session.scalar(count.where(AuditEvent.action == AuditAction.RETENTION_PURGED)) == 1
    assert db.session.scalar(count.where(AuditEvent.action == AuditAction.PERSON_ERASED)) == 1
    db.session.expire_all()
    assert traces(amina.email) == [] and verify_audit_chain() is None


def test_a_double_click_sets_one_hold(app, world):
    from portal.privacy.holds import set_hold

    (free, _), _ = world
    staff_id = make_staff_user("legal").id

    def hold(_index):
        with app.app_context():
            try:
                return set_hold(free.id, staff_id, "Regulator inquiry")
            finally:
                db.session.remove()

    results = at_once(4, hold) if ON_POSTGRES else [hold(n) for n in range(4)]
    assert sorted(results) == [False, False, False, True], results
    count = select(func.count()).where(AuditEvent.action == AuditAction.LEGAL_HOLD_SET)
    assert db.session.scalar(count) == 1

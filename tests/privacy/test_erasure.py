"""An erasure granted leaves no trace of the person in any text column or proof file, keeps what the
law requires (a paid claim's amount and dates), leaves everyone else alone and the audit chain whole."""

import json

import pytest
from sqlalchemy import String, Text, func, select

from portal.audit.chain import verify_audit_chain
from portal.claims.payment import open_details
from portal.claims.proof_files import read_stored, upload_folder
from portal.constants import AuditAction, ClaimStatus, Role
from portal.extensions import db
from portal.models import AuditEvent, Claim, ClaimBenefit, DataRequest, Person
from tests.factories import make_incident, sign_in_staff
from tests.live import one_winner, race
from tests.privacy.support import make_someone, sign_in_as


def column_traces(needle: str) -> list[str]:
    found = []
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            if not isinstance(column.type, String | Text):
                continue
            query = select(func.count()).select_from(table).where(column.contains(needle, autoescape=True))
            if db.session.scalar(query):
                found.append(f"{table.name}.{column.name}")
    return found


def encrypted_traces(needle: str) -> list[str]:
    """Encrypted columns hold no plain text to find: open every one and look inside."""
    found = []
    for person in db.session.scalars(select(Person)):
        for field in ("phone", "address", "date_of_birth", "national_id_last4"):
            if needle in (person.decrypt_field(field) or ""):
                found.append(f"person.{field}_enc:{person.id}")
    for claim in db.session.scalars(select(Claim)):
        if needle in json.dumps(open_details(claim.id, claim.payment_details_enc), ensure_ascii=False):
            found.append(f"claim.payment_details_enc:{claim.id}")
    return found


def upload_traces(needle: str) -> list[str]:
    """Every proof file whose stored bytes, or their decryption, hold ``needle``."""
    return [
        f"upload:{path.name}"
        for path in upload_folder().iterdir()
        if needle.encode() in path.read_bytes() or needle.encode() in read_stored(path.name)
    ]


def traces(needle: str) -> list[str]:
    """Every text column, encrypted field and upload holding ``needle``, anywhere in the portal."""
    return column_traces(needle) + encrypted_traces(needle) + upload_traces(needle)


def personal_details(someone) -> list[str]:
    return [
        someone.first_name,
        someone.last_name,
        someone.email,
        someone.phone,
        someone.birth_date,
        someone.address_line,
        someone.person.contractor_id,
    ]


def ask_for_erasure(client, someone) -> DataRequest:
    sign_in_as(client, someone)
    client.get("/my/requests")
    assert client.post("/my/requests", data={"kind": "erasure"}).status_code == 302
    return db.session.scalars(select(DataRequest).where(DataRequest.person_id == someone.person.id)).one()


@pytest.fixture
def people(app_ctx):
    for leftover in upload_folder().iterdir():  # the folder lives as long as the test session
        leftover.unlink()
    incident = make_incident()
    return make_someone(incident, "AAA1"), make_someone(incident, "BBB2", paid=False)


def test_erasure_leaves_no_trace_and_keeps_the_paid_amount(app, client, people):
    amina, other = people
    row = ask_for_erasure(client, amina)
    details, others = personal_details(amina), personal_details(other)
    # Before: the search does find each detail stored in the clear (so it can fail).
    assert all(traces(needle) for needle in details)
    paid_at = amina.claim.decided_at
    legal = app.test_client()
    sign_in_staff(legal, Role.LEGAL)
    legal.get(f"/staff/privacy/requests/{row.id}")
    answer = legal.post(f"/staff/privacy/requests/{row.id}", data={"decision": "grant", "reason": "Art. 17"})
    assert answer.status_code == 302
    db.session.expire_all()

    for needle in details:
        assert traces(needle) == [], needle
    person = db.session.get(Person, amina.person.id)
    assert all(getattr(person, f"{f}_enc") is None for f in ("phone", "address", "date_of_birth", "national_id_last4"))
    claim = db.session.get(Claim, amina.claim.id)
    assert claim.status == ClaimStatus.PAID and claim.decided_at == paid_at and claim.payment_details_enc is None
    amounts = db.session.scalars(select(ClaimBenefit.amount_cents).where(ClaimBenefit.claim_id == claim.id)).all()
    assert amounts == [12_345]
    assert not (upload_folder() / amina.stored_name).exists()
    # Everyone else is untouched, and the chain still verifies.
    for needle in others:
        assert traces(needle), needle
    assert (upload_folder() / other.stored_name).exists()
    assert verify_audit_chain() is None
    erased = db.session.scalars(select(AuditEvent).where(AuditEvent.action == AuditAction.PERSON_ERASED)).one()
    assert erased.target == f"person:{amina.person.uid}" and '"files": 1' in erased.details
    # Their open session ends at the next page, and they can no longer check in: codes and birth date are gone.
    response = client.get("/my")
    assert response.status_code == 302 and response.location.endswith("/check")
    assert client.get("/my/record.json").status_code == 302
    response = client.post(
        "/check", data={"notice_code": amina.code, "last_name": amina.last_name, "date_of_birth-day": "1"}
    )
    assert response.status_code == 400


def test_an_unpaid_claim_goes_whole(app, client, people):
    _, other = people
    row = ask_for_erasure(client, other)
    details, claim_id = personal_details(other), other.claim.id
    legal = app.test_client()
    sign_in_staff(legal, Role.LEGAL)
    legal.get(f"/staff/privacy/requests/{row.id}")
    legal.post(f"/staff/privacy/requests/{row.id}", data={"decision": "grant", "reason": "Art. 17"})
    db.session.expire_all()
    assert db.session.get(Claim, claim_id) is None
    for needle in details:
        assert traces(needle) == [], needle


def test_a_double_click_decides_once(app_ctx, client, people, live_browser):
    from portal.staff.service import create_staff_user
    from tests.factories import STAFF_PASSWORD

    amina, _ = people
    row = ask_for_erasure(client, amina)
    user, secret = create_staff_user("legal-privacy@staff.example.org", Role.LEGAL, STAFF_PASSWORD)
    live_browser.sign_in_staff(user.email, secret)
    tabs = [live_browser.tab() for _ in range(6)]
    answers = race(tabs, f"/staff/privacy/requests/{row.id}", decision="grant", reason="Art. 17")
    losers = one_winner(answers, lambda a: a.status == 302)
    assert all(a.status == 409 and "decided this request first" in a.text for a in losers)
    decided = select(func.count()).where(AuditEvent.action == AuditAction.DATA_REQUEST_DECIDED)
    erased = select(func.count()).where(AuditEvent.action == AuditAction.PERSON_ERASED)
    assert (db.session.scalar(decided), db.session.scalar(erased)) == (1, 1)
    assert verify_audit_chain() is None

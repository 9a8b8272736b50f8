"""Safeguards on decisions: an appeal goes to someone else, and a flagged claim needs a confirmed reason."""

import pytest

from portal.constants import ClaimStatus, FraudSignalKind, Role
from portal.extensions import db
from portal.models import AuditEvent, Claim, FraudSignal
from tests.claims.support import file_claim
from tests.factories import sign_in_staff


@pytest.fixture
def filed(signed_in, claimant):
    return file_claim(signed_in, claimant)


def _legal(app):
    client = app.test_client()
    client.user = sign_in_staff(client, Role.LEGAL)
    return client


def _status(claim) -> str:
    db.session.expire_all()
    return db.session.get(Claim, claim.id).status


def test_the_legal_user_who_denied_cannot_decide_the_appeal(app, app_ctx, filed, signed_in):
    denier, colleague = _legal(app), _legal(app)
    denier.get(f"/staff/claims/{filed.id}/deny")
    denier.post(f"/staff/claims/{filed.id}/deny", data={"reason": "Missing proof."})
    signed_in.get(f"/my/claims/{filed.id}/appeal")
    assert signed_in.post(f"/my/claims/{filed.id}/appeal", data={"statement": "Attached now."}).status_code == 302

    page = denier.get(f"/staff/claims/{filed.id}").get_data(as_text=True)
    assert "appeal against your own denial" in page and "/approve" not in page
    for path, data in (
        ("approve", {}),
        ("deny", {"reason": "Still no."}),
        ("request-information", {"request_text": "x"}),
    ):
        refused = denier.post(f"/staff/claims/{filed.id}/{path}", data=data)
        assert refused.status_code == 409 and "Another legal user must decide it" in refused.get_data(as_text=True)
    assert _status(filed) == ClaimStatus.SUBMITTED

    colleague.get(f"/staff/claims/{filed.id}")
    assert colleague.post(f"/staff/claims/{filed.id}/approve").status_code == 302
    assert _status(filed) == ClaimStatus.APPROVED


def test_a_flagged_claim_is_approved_only_through_the_confirmation_with_a_reason(app, app_ctx, filed):
    db.session.add(FraudSignal(claim_id=filed.id, kind=FraudSignalKind.SHARED_PAYOUT_ACCOUNT, detail="same as K7Q"))
    db.session.commit()
    legal = _legal(app)
    page = legal.get(f"/staff/claims/{filed.id}").get_data(as_text=True)
    assert "Approve…" in page
    one_click = legal.post(f"/staff/claims/{filed.id}/approve")
    assert one_click.status_code == 400 and _status(filed) == ClaimStatus.SUBMITTED
    confirm = legal.get(f"/staff/claims/{filed.id}/approve").get_data(as_text=True)
    assert "Same payout account" in confirm and "same as K7Q" in confirm
    empty = legal.post(f"/staff/claims/{filed.id}/approve", data={"reason": "  "})
    assert empty.status_code == 400 and _status(filed) == ClaimStatus.SUBMITTED
    done = legal.post(f"/staff/claims/{filed.id}/approve", data={"reason": "Spouses share the account; checked ID."})
    assert done.status_code == 302 and _status(filed) == ClaimStatus.APPROVED
    event = AuditEvent.query.filter_by(action="claim.approved").one()
    assert "shared_payout_account" in event.details and "Spouses share the account" in event.details

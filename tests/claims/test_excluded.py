"""Excluding yourself and claiming are exclusive: excluded people get nothing from the settlement,
and a claim that stands keeps its claimant in it (until they withdraw it, before a decision)."""

from datetime import date, timedelta

import pytest

from portal.constants import AuditAction, ClaimStatus
from portal.exclusion.service import ExclusionAnswers, ExclusionBlocked, request_exclusion, withdraw_exclusion
from portal.extensions import db
from portal.models import AuditEvent, ExclusionRequest
from tests.claims.support import claim_of, file_claim, make_claim_incident, make_claimant, start


@pytest.fixture
def incident(app_ctx):
    return make_claim_incident(claim_deadline=date.today() + timedelta(days=30))


def exclude(claimant) -> ExclusionRequest:
    return request_exclusion(claimant.person, claimant.incident, ExclusionAnswers("", "Amina Okafor"), "192.0.2.1")


def test_an_excluded_person_cannot_start_a_claim_until_they_withdraw(signed_in, claimant):
    exclude(claimant)
    page = signed_in.get(f"/my/claims/start/{claimant.incident.id}")
    body = page.get_data(as_text=True)
    assert page.status_code == 403 and "You asked to be excluded from the settlement" in body
    assert f"/my/exclusion/{claimant.incident.slug}" in body
    assert signed_in.post(f"/my/claims/start/{claimant.incident.id}").status_code == 403
    assert claim_of(claimant) is None
    withdraw_exclusion(claimant.person, claimant.incident)
    assert start(signed_in, claimant)


def test_a_draft_cannot_be_sent_by_someone_who_has_since_asked_to_be_excluded(signed_in, claimant):
    draft = file_claim(signed_in, claimant, submit=False)
    exclude(claimant)
    for step in ("benefits", "payment", "check"):
        response = signed_in.get(f"/my/claims/{draft.id}/{step}")
        assert response.status_code == 403 and "You asked to be excluded" in response.get_data(as_text=True)
    sent = signed_in.post(f"/my/claims/{draft.id}/check", data={"full_name": "Amina Okafor", "confirm": "y"})
    assert sent.status_code == 403 and claim_of(claimant).status == ClaimStatus.DRAFT
    withdraw_exclusion(claimant.person, claimant.incident)
    sent = signed_in.post(f"/my/claims/{draft.id}/check", data={"full_name": "Amina Okafor", "confirm": "y"})
    assert sent.status_code == 302 and claim_of(claimant).status == ClaimStatus.SUBMITTED


def test_someone_whose_claim_stands_cannot_ask_to_be_excluded(signed_in, claimant):
    claim = file_claim(signed_in, claimant)
    page = signed_in.get(f"/my/exclusion/{claimant.incident.slug}").get_data(as_text=True)
    assert "You have sent a claim" in page and claim.reference in page and "typed_name" not in page
    with pytest.raises(ExclusionBlocked) as blocked:
        exclude(claimant)
    assert blocked.value.claim_reference == claim.reference
    assert db.session.query(ExclusionRequest).count() == 0


def test_a_denied_claim_does_not_stop_anyone_asking_to_be_excluded(app_ctx):
    claimant = make_claimant(make_claim_incident(claim_deadline=date.today() + timedelta(days=30)))
    client = app_ctx.test_client()
    claimant.sign_in(client)
    claim = file_claim(client, claimant)
    claim.status = ClaimStatus.DENIED
    db.session.commit()
    assert exclude(claimant).withdrawn_at is None


def test_a_claimant_withdraws_a_pending_claim_and_can_then_ask_to_be_excluded(signed_in, claimant):
    claim = file_claim(signed_in, claimant)
    status = signed_in.get(f"/my/claims/{claim.id}").get_data(as_text=True)
    assert f"/my/claims/{claim.id}/withdraw" in status
    exclusion = signed_in.get(f"/my/exclusion/{claimant.incident.slug}").get_data(as_text=True)
    assert f"/my/claims/{claim.id}/withdraw" in exclusion  # the way out, from the exclusion page
    confirm = signed_in.get(f"/my/claims/{claim.id}/withdraw").get_data(as_text=True)
    assert "You cannot undo this, and you cannot send another claim for this incident." in confirm
    assert claim_of(claimant).status == ClaimStatus.SUBMITTED  # nothing changes until the button
    done = signed_in.post(f"/my/claims/{claim.id}/withdraw")
    assert done.status_code == 302 and claim_of(claimant).status == ClaimStatus.WITHDRAWN
    history = signed_in.get(f"/my/claims/{claim.id}").get_data(as_text=True)
    assert "You withdrew your claim" in history and f"/my/claims/{claim.id}/withdraw" not in history
    (event,) = db.session.query(AuditEvent).filter_by(action=AuditAction.CLAIM_WITHDRAWN).all()
    assert event.actor == f"contractor:{claimant.person.uid}" and event.target == f"claim:{claim.reference}"
    assert exclude(claimant).withdrawn_at is None  # no longer standing
    again = signed_in.post(f"/my/claims/start/{claimant.incident.id}")  # one claim per incident: no second
    assert again.status_code == 302 and again.location.endswith(f"/my/claims/{claim.id}?again=1")
    assert claim_of(claimant).id == claim.id


def test_a_decided_claim_cannot_be_withdrawn(signed_in, claimant):
    claim = file_claim(signed_in, claimant)
    claim.status = ClaimStatus.APPROVED
    db.session.commit()
    page = signed_in.get(f"/my/claims/{claim.id}/withdraw")
    assert page.status_code == 403 and "can no longer be withdrawn" in page.get_data(as_text=True)
    assert signed_in.post(f"/my/claims/{claim.id}/withdraw").status_code == 403
    assert claim_of(claimant).status == ClaimStatus.APPROVED
    exclusion = signed_in.get(f"/my/exclusion/{claimant.incident.slug}").get_data(as_text=True)
    assert "Your claim has been decided" in exclusion and "/withdraw" not in exclusion


def test_nobody_withdraws_someone_else_s_claim(app, signed_in, claimant):
    claim = file_claim(signed_in, claimant)
    other = make_claimant(claimant.incident, last_name="Silva", date_of_birth="1985-11-02")
    client = app.test_client()
    other.sign_in(client)
    assert client.post(f"/my/claims/{claim.id}/withdraw").status_code == 404
    assert claim_of(claimant).status == ClaimStatus.SUBMITTED

"""A claimant's double click, second tab or replayed POST changes a claim once.

Eight tabs of one signed-in browser load the form and post it at the same moment to a real
threaded server with CSRF on; exactly one request makes the change, the others are told it was
already done, and nothing happens twice: one set of benefit rows, one status change, one audit
row, one email. (Twelve simultaneous submits used to write eleven sets of benefits on PostgreSQL.)
"""

import pytest
from sqlalchemy import func, select

from portal.constants import AuditAction, ClaimStatus, MailKind, Role
from portal.extensions import db
from portal.models import AuditEvent, Claim, ClaimBenefit, ClaimStatusChange, OutboxMessage
from tests.claims.support import file_claim, pdf_bytes
from tests.factories import sign_in_staff
from tests.live import one_winner, race

TABS = 8


def count(model, *conditions) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model).where(*conditions))


def audits(action, claim) -> int:
    return count(AuditEvent, AuditEvent.action == str(action), AuditEvent.target == f"claim:{claim.reference}")


def mails(kind) -> int:
    return count(OutboxMessage, OutboxMessage.kind == str(kind))


def changes_to(claim, status) -> int:
    return count(ClaimStatusChange, ClaimStatusChange.claim_id == claim.id, ClaimStatusChange.to_status == str(status))


@pytest.fixture
def tabs(live_browser, claimant):
    live_browser.sign_in_contractor(claimant.code, claimant.last_name, claimant.date_of_birth)
    return [live_browser.tab() for _ in range(TABS)]


def deny(app, claim) -> None:
    legal = app.test_client()
    sign_in_staff(legal, Role.LEGAL)
    response = legal.post(f"/staff/claims/{claim.id}/deny", data={"reason": "No proof of the loss"})
    assert response.status_code == 302


def test_concurrent_submits_send_the_claim_once(signed_in, claimant, tabs):
    losses = [("2500", "2026-06-01", "Passport fee", pdf_bytes())]
    claim = file_claim(signed_in, claimant, benefits=("out_of_pocket",), losses=losses, submit=False)
    answers = race(tabs, f"/my/claims/{claim.id}/check", full_name="Amina Okafor", confirm="y")

    losers = one_winner(answers, lambda a: a.status == 302 and a.location.endswith(f"/my/claims/{claim.id}/sent"))
    # Each twin is sent to the claim's page, which says it was filed already.
    assert all(a.status in (302, 303) and f"/my/claims/{claim.id}" in a.location for a in losers)
    page = tabs[0].get(f"/my/claims/{claim.id}?again=1")
    assert "You have already filed a claim for this incident" in page.text
    assert count(ClaimBenefit, ClaimBenefit.claim_id == claim.id) == 1
    assert changes_to(claim, ClaimStatus.SUBMITTED) == 1
    assert audits(AuditAction.CLAIM_SUBMITTED, claim) == 1
    assert mails(MailKind.CLAIM_SUBMITTED) == 1
    assert db.session.get(Claim, claim.id).status == ClaimStatus.SUBMITTED


def test_concurrent_withdrawals_withdraw_once(signed_in, claimant, tabs):
    claim = file_claim(signed_in, claimant)
    answers = race(tabs, f"/my/claims/{claim.id}/withdraw", confirm="y")

    losers = one_winner(answers, lambda a: a.status == 302)
    assert all(a.status == 403 and "can no longer be withdrawn" in a.text for a in losers)
    assert changes_to(claim, ClaimStatus.WITHDRAWN) == 1
    assert audits(AuditAction.CLAIM_WITHDRAWN, claim) == 1


def test_concurrent_appeals_reopen_the_claim_once(app, signed_in, claimant, tabs):
    claim = file_claim(signed_in, claimant)
    deny(app, claim)
    answers = race(tabs, f"/my/claims/{claim.id}/appeal", statement="My receipt was attached")

    losers = one_winner(answers, lambda a: a.status == 302)
    # Refused either by the window check (the appeal already went in) or by the conditional update.
    assert all(a.status in (400, 403) and "can no longer be appealed" in a.text for a in losers)
    assert audits(AuditAction.CLAIM_APPEALED, claim) == 1
    assert changes_to(claim, ClaimStatus.SUBMITTED) == 2  # the filing and the one appeal


def test_concurrent_answers_to_a_request_for_information_go_in_once(app, signed_in, claimant, tabs):
    claim = file_claim(signed_in, claimant)
    legal = app.test_client()
    sign_in_staff(legal, Role.LEGAL)
    legal.post(f"/staff/claims/{claim.id}/request-information", data={"request_text": "Send the receipt"})
    answers = race(tabs, f"/my/claims/{claim.id}/answer", answer="Here it is")

    losers = one_winner(answers, lambda a: a.status == 302)
    assert all(a.status in (400, 403) for a in losers)
    assert audits(AuditAction.CLAIM_INFO_PROVIDED, claim) == 1

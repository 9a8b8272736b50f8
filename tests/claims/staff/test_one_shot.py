"""A reviewer's double click (or two reviewers at once) decides a claim once.

Eight tabs of a signed-in legal user post the same decision at the same moment to a real threaded
server with CSRF on: one decision is recorded, one email goes out, the other tabs get a 409 page
saying the claim's status has changed.
"""

import pytest

from portal.constants import AuditAction, ClaimStatus, MailKind, Role
from portal.staff.service import create_staff_user
from tests.claims.support import file_claim
from tests.claims.test_one_shot import TABS, audits, changes_to, mails
from tests.factories import STAFF_PASSWORD, sign_in_staff
from tests.live import one_winner, race


@pytest.fixture
def filed(signed_in, claimant):
    return file_claim(signed_in, claimant)


@pytest.fixture
def legal_tabs(app_ctx, live_browser):
    user, secret = create_staff_user("legal-race@staff.example.org", Role.LEGAL, STAFF_PASSWORD)
    live_browser.sign_in_staff(user.email, secret)
    return [live_browser.tab() for _ in range(TABS)]


ALREADY = ("status has changed since you opened it", "cannot be denied now", "only on a claim waiting for review")
DECISIONS = [
    ("approve", "", {}, ClaimStatus.APPROVED, AuditAction.CLAIM_APPROVED, MailKind.CLAIM_DECIDED),
    ("deny", "/deny", {"reason": "No proof"}, ClaimStatus.DENIED, AuditAction.CLAIM_DENIED, MailKind.CLAIM_DECIDED),
    (
        "request-information",
        "/request-information",
        {"request_text": "Send the receipt"},
        ClaimStatus.NEEDS_INFO,
        AuditAction.CLAIM_INFO_REQUESTED,
        MailKind.CLAIM_NEEDS_INFO,
    ),
]


@pytest.mark.parametrize(("action", "form_page", "data", "status", "audit", "mail"), DECISIONS)
def test_concurrent_decisions_are_made_once(filed, legal_tabs, action, form_page, data, status, audit, mail):
    before = mails(mail)
    answers = race(legal_tabs, f"/staff/claims/{filed.id}{form_page}", f"/staff/claims/{filed.id}/{action}", **data)

    losers = one_winner(answers, lambda a: a.status == 302)
    # Refused by the conditional update, or (arriving after the winner's commit) by the form page.
    assert all(a.status == 409 and any(phrase in a.text for phrase in ALREADY) for a in losers)
    assert changes_to(filed, status) == 1
    assert audits(audit, filed) == 1
    assert mails(mail) == before + 1


def test_concurrent_payments_are_recorded_once(app, filed, legal_tabs):
    legal = app.test_client()
    sign_in_staff(legal, Role.LEGAL)
    assert legal.post(f"/staff/claims/{filed.id}/approve").status_code == 302
    answers = race(legal_tabs, f"/staff/claims/{filed.id}", f"/staff/claims/{filed.id}/paid")

    losers = one_winner(answers, lambda a: a.status == 302)
    assert all(a.status == 409 for a in losers)
    assert changes_to(filed, ClaimStatus.PAID) == 1
    assert audits(AuditAction.CLAIM_PAID, filed) == 1

"""Legal decides claims: approve, deny (with a reason and an appeal window), ask for more information, mark paid.

Every change leaves a ClaimStatusChange and an AuditEvent with who and when; only legal may decide.
"""

from datetime import date, timedelta

import pytest

from portal.audit.chain import verify_audit_chain
from portal.constants import ClaimStatus, MailKind, Role
from portal.dao.claims import dao_get_claim_documents, dao_get_status_history
from portal.extensions import db
from portal.models import AuditEvent, Claim, OutboxMessage
from tests.claims.support import file_claim, jpeg_bytes, upload
from tests.factories import sign_in_staff


@pytest.fixture
def filed(signed_in, claimant):
    return file_claim(signed_in, claimant)


@pytest.fixture
def legal(app, app_ctx):
    client = app.test_client()
    user = sign_in_staff(client, Role.LEGAL)
    client.user_id = user.id
    return client


def reload(claim) -> Claim:
    db.session.expire_all()
    return db.session.get(Claim, claim.id)


def text(response) -> str:
    return response.get_data(as_text=True)


def mails(kind) -> list[OutboxMessage]:
    return OutboxMessage.query.filter_by(kind=kind).order_by(OutboxMessage.id).all()


def test_approving_records_who_and_when_and_emails_the_claimant(legal, filed, claimant):
    response = legal.post(f"/staff/claims/{filed.id}/approve")
    assert response.status_code == 302
    claim = reload(filed)
    assert claim.status == ClaimStatus.APPROVED and claim.decided_at is not None
    change = dao_get_status_history(claim.id)[-1]
    assert (change.from_status, change.to_status, change.actor) == ("submitted", "approved", f"staff:{legal.user_id}")
    event = AuditEvent.query.filter_by(action="claim.approved").one()
    assert event.actor == f"staff:{legal.user_id}" and event.target == f"claim:{claim.reference}"
    (mail,) = mails(MailKind.CLAIM_DECIDED)
    assert "was approved" in mail.body_text and mail.to_address == claimant.person.email
    assert verify_audit_chain() is None


def test_marking_paid_follows_approval_only(legal, filed):
    refused = legal.post(f"/staff/claims/{filed.id}/paid")
    assert refused.status_code == 409 and "status has changed" in text(refused)
    assert reload(filed).status == ClaimStatus.SUBMITTED  # refused: not approved yet
    legal.post(f"/staff/claims/{filed.id}/approve")
    legal.post(f"/staff/claims/{filed.id}/paid")
    assert reload(filed).status == ClaimStatus.PAID
    assert [c.to_status for c in dao_get_status_history(filed.id)] == ["submitted", "approved", "paid"]


def test_a_denial_needs_a_reason_which_the_claimant_reads(legal, filed, signed_in):
    response = legal.post(f"/staff/claims/{filed.id}/deny", data={"reason": "  "})
    assert response.status_code == 400 and "Enter the reason. The claimant will read it" in text(response)
    legal.post(f"/staff/claims/{filed.id}/deny", data={"reason": "No proof of the fee was attached."})
    claim = reload(filed)
    assert claim.status == ClaimStatus.DENIED and claim.appeal_deadline == date.today() + timedelta(days=30)
    page = text(signed_in.get(f"/my/claims/{claim.id}"))
    assert "Not approved" in page and "No proof of the fee was attached." in page and "Appeal this decision" in page
    (mail,) = mails(MailKind.CLAIM_DECIDED)
    assert "No proof of the fee was attached." in mail.body_text and "appeal" in mail.body_text


class TestAppealWindow:
    def test_inside_the_window_an_appeal_goes_back_to_review_with_the_history_kept(self, legal, filed, signed_in):
        legal.post(f"/staff/claims/{filed.id}/deny", data={"reason": "Missing proof."})
        response = signed_in.post(f"/my/claims/{filed.id}/appeal", data={"statement": "I attached it; see page 2."})
        assert response.status_code == 302
        claim = reload(filed)
        assert claim.status == ClaimStatus.SUBMITTED
        history = dao_get_status_history(claim.id)
        assert [c.to_status for c in history] == ["submitted", "denied", "submitted"]
        assert history[-1].note == "I attached it; see page 2." and history[-1].actor.startswith("contractor:")
        assert AuditEvent.query.filter_by(action="claim.appealed").count() == 1
        page = text(signed_in.get(f"/my/claims/{claim.id}"))
        assert "You appealed the decision" in page and "Your claim was not approved" in page

    def test_after_the_window_the_appeal_is_refused(self, legal, filed, signed_in):
        legal.post(f"/staff/claims/{filed.id}/deny", data={"reason": "Missing proof."})
        claim = reload(filed)
        claim.appeal_deadline = date.today() - timedelta(days=1)
        db.session.commit()
        assert signed_in.get(f"/my/claims/{claim.id}/appeal").status_code == 403
        response = signed_in.post(f"/my/claims/{claim.id}/appeal", data={"statement": "Please look again."})
        assert response.status_code == 403 and "can no longer be appealed" in text(response)
        assert reload(claim).status == ClaimStatus.DENIED
        assert "The time to appeal ended on" in text(signed_in.get(f"/my/claims/{claim.id}"))

    def test_the_last_day_of_the_window_is_still_inside_it(self, legal, filed, signed_in):
        legal.post(f"/staff/claims/{filed.id}/deny", data={"reason": "Missing proof."})
        claim = reload(filed)
        claim.appeal_deadline = date.today()
        db.session.commit()
        assert signed_in.post(f"/my/claims/{claim.id}/appeal", data={"statement": "Look again"}).status_code == 302

    def test_an_appeal_needs_a_statement(self, legal, filed, signed_in):
        legal.post(f"/staff/claims/{filed.id}/deny", data={"reason": "Missing proof."})
        response = signed_in.post(f"/my/claims/{filed.id}/appeal", data={"statement": ""})
        assert response.status_code == 400 and "Say why the decision should be changed" in text(response)

    def test_a_claim_denied_again_after_its_appeal_is_final(self, app, legal, filed, signed_in):
        legal.post(f"/staff/claims/{filed.id}/deny", data={"reason": "Missing proof."})
        signed_in.post(f"/my/claims/{filed.id}/appeal", data={"statement": "Look again"})
        colleague = app.test_client()  # the appeal goes to someone other than the one who denied
        sign_in_staff(colleague, Role.LEGAL)
        colleague.post(f"/staff/claims/{filed.id}/deny", data={"reason": "Still missing."})
        claim = reload(filed)
        assert claim.status == ClaimStatus.DENIED and claim.appeal_deadline is None
        assert signed_in.post(f"/my/claims/{claim.id}/appeal", data={"statement": "Again"}).status_code == 403
        assert "is final" in text(signed_in.get(f"/my/claims/{claim.id}"))


def test_needs_information_round_trip_with_the_deficiency_email(legal, filed, signed_in, claimant):
    response = legal.post(
        f"/staff/claims/{filed.id}/request-information",
        data={"request_text": "Please send the receipt for the passport fee."},
    )
    assert response.status_code == 302
    claim = reload(filed)
    assert claim.status == ClaimStatus.NEEDS_INFO and claim.cure_deadline == date.today() + timedelta(days=30)
    (mail,) = mails(MailKind.CLAIM_NEEDS_INFO)
    assert mail.to_address == claimant.person.email and claim.reference in mail.subject
    assert "Please send the receipt for the passport fee." in mail.body_text
    assert "DE89" not in mail.body_text and "3000" not in mail.body_text

    page = text(signed_in.get(f"/my/claims/{claim.id}"))
    assert "We need more information from you" in page and "Answer this request" in page
    response = signed_in.post(
        f"/my/claims/{claim.id}/answer",
        content_type="multipart/form-data",
        data={"answer": "Here it is.", "documents": [upload(jpeg_bytes(), "receipt.jpg")]},
    )
    assert response.status_code == 302
    claim = reload(claim)
    assert claim.status == ClaimStatus.SUBMITTED
    assert [c.to_status for c in dao_get_status_history(claim.id)] == ["submitted", "needs_info", "submitted"]
    assert any(d.content_type == "image/jpeg" for d in dao_get_claim_documents(claim.id))
    assert AuditEvent.query.filter_by(action="claim.info_provided").count() == 1
    staff_page = text(legal.get(f"/staff/claims/{claim.id}"))
    assert "Here it is." in staff_page and "Files sent with answers" in staff_page


def test_an_answer_needs_text_and_a_safe_file(legal, filed, signed_in):
    legal.post(f"/staff/claims/{filed.id}/request-information", data={"request_text": "Send the receipt."})
    response = signed_in.post(f"/my/claims/{filed.id}/answer", data={"answer": ""})
    assert response.status_code == 400 and "Write your answer to our request" in text(response)
    response = signed_in.post(
        f"/my/claims/{filed.id}/answer",
        content_type="multipart/form-data",
        data={"answer": "ok", "documents": [upload(b"GIF89a....", "receipt.png")]},
    )
    assert response.status_code == 400 and "must be a PDF, JPG or PNG" in text(response)
    assert reload(filed).status == ClaimStatus.NEEDS_INFO


def test_no_answer_after_the_cure_deadline(legal, filed, signed_in):
    legal.post(f"/staff/claims/{filed.id}/request-information", data={"request_text": "Send the receipt."})
    claim = reload(filed)
    claim.cure_deadline = date.today() - timedelta(days=1)
    db.session.commit()
    assert signed_in.post(f"/my/claims/{claim.id}/answer", data={"answer": "late"}).status_code == 403
    assert reload(claim).status == ClaimStatus.NEEDS_INFO


def test_a_request_for_information_needs_text(legal, filed):
    response = legal.post(f"/staff/claims/{filed.id}/request-information", data={"request_text": ""})
    assert response.status_code == 400 and "Say what information or proof the claimant must send" in text(response)


def test_a_decision_on_a_claim_already_decided_is_refused(legal, filed):
    legal.post(f"/staff/claims/{filed.id}/approve")
    response = legal.post(f"/staff/claims/{filed.id}/deny", data={"reason": "Changed my mind"})
    assert response.status_code == 409 and "cannot be denied now" in text(response)
    legal.post(f"/staff/claims/{filed.id}/approve", follow_redirects=False)
    assert [c.to_status for c in dao_get_status_history(filed.id)] == ["submitted", "approved"]


@pytest.mark.parametrize("role", [Role.SUPPORT, Role.AUDITOR, Role.ADMIN])
def test_only_legal_decides(app, filed, role):
    client = app.test_client()
    sign_in_staff(client, role)
    for url, data in (
        (f"/staff/claims/{filed.id}/approve", {}),
        (f"/staff/claims/{filed.id}/paid", {}),
        (f"/staff/claims/{filed.id}/deny", {"reason": "x"}),
        (f"/staff/claims/{filed.id}/request-information", {"request_text": "x"}),
    ):
        assert client.post(url, data=data).status_code == 403, url
    assert client.get(f"/staff/claims/{filed.id}/payment-details").status_code == 403
    assert reload(filed).status == ClaimStatus.SUBMITTED


def test_admins_may_read_a_claim_but_see_no_decision_buttons(app, filed):
    client = app.test_client()
    sign_in_staff(client, Role.ADMIN)
    page = text(client.get(f"/staff/claims/{filed.id}"))
    assert filed.reference in page and "Approve" not in page and "Show the full payment details" not in page


def test_opening_a_claim_is_audited_and_shows_the_payment_masked(legal, filed):
    page = text(legal.get(f"/staff/claims/{filed.id}"))
    assert "•••• 3000" in page and "DE89" not in page
    assert AuditEvent.query.filter_by(action="claim.viewed", target=f"claim:{filed.reference}").count() == 1


def test_viewing_the_payment_details_is_audited(legal, filed):
    page = text(legal.get(f"/staff/claims/{filed.id}/payment-details"))
    assert "DE89 3704 0044 0532 0130 00" in page and "Commerzbank" in page and "COBADEFF" in page
    event = AuditEvent.query.filter_by(action="claim.payment_details_viewed").one()
    assert event.actor == f"staff:{legal.user_id}" and event.target == f"claim:{filed.reference}"
    assert "DE89" not in event.details


def test_a_check_shows_legal_the_postal_address(legal, signed_in, claimant):
    claim = file_claim(signed_in, claimant, method="check")
    page = text(legal.get(f"/staff/claims/{claim.id}/payment-details"))
    assert "1 Moi Avenue" in page and "Nairobi" in page

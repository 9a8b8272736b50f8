"""A contractor reaches only their own claims and files: anyone else's id looks like a missing one (404)."""

import pytest

from portal.constants import Role
from portal.dao.claims import dao_get_claim_documents
from tests.claims.support import file_claim, make_claimant, pdf_bytes
from tests.factories import sign_in_staff

CONTRACTOR_PAGES = (
    "",
    "/continue",
    "/benefits",
    "/losses",
    "/losses/add",
    "/lost-time",
    "/payment",
    "/payment-details",
    "/check",
    "/sent",
    "/appeal",
    "/answer",
)


@pytest.fixture
def two_claims(app, incident):
    """Amina's draft with a proof file, and Joao's sent claim with one; each signed in on their own client."""
    amina, joao = make_claimant(incident), make_claimant(incident, last_name="Silva", date_of_birth="1985-11-02")
    amina_client, joao_client = app.test_client(), app.test_client()
    amina.sign_in(amina_client)
    joao.sign_in(joao_client)
    amina_claim = file_claim(
        amina_client,
        amina,
        benefits=("out_of_pocket",),
        submit=False,
        losses=[("10", "2026-06-01", "Fee", pdf_bytes(b"%amina"))],
    )
    joao_claim = file_claim(
        joao_client, joao, benefits=("out_of_pocket",), losses=[("20", "2026-06-02", "Fee", pdf_bytes(b"%joao"))]
    )
    return amina_client, amina_claim, joao_client, joao_claim


def test_another_persons_claim_is_a_404_on_every_page(two_claims):
    amina_client, amina_claim, joao_client, joao_claim = two_claims
    for suffix in CONTRACTOR_PAGES:
        assert amina_client.get(f"/my/claims/{joao_claim.id}{suffix}").status_code == 404, suffix
        assert joao_client.get(f"/my/claims/{amina_claim.id}{suffix}").status_code == 404, suffix
    for suffix in ("/benefits", "/check", "/appeal", "/answer", "/losses/abc/remove"):
        assert (
            joao_client.post(
                f"/my/claims/{amina_claim.id}{suffix}",
                data={"full_name": "x", "confirm": "y", "benefits": ["monitoring"]},
            ).status_code
            == 404
        ), suffix


def test_another_persons_upload_is_a_404_by_either_id(two_claims):
    _, amina_claim, joao_client, joao_claim = two_claims
    (amina_doc,) = dao_get_claim_documents(amina_claim.id)
    assert joao_client.get(f"/my/claims/{amina_claim.id}/documents/{amina_doc.id}").status_code == 404
    # Joao's own claim id with Amina's document id: the document must belong to the claim in the URL.
    assert joao_client.get(f"/my/claims/{joao_claim.id}/documents/{amina_doc.id}").status_code == 404
    assert joao_client.post(f"/my/claims/{joao_claim.id}/lost-time/documents/{amina_doc.id}/remove").status_code in (
        302,
        404,
    )
    assert len(dao_get_claim_documents(amina_claim.id)) == 1


def test_the_owner_gets_their_file_as_an_attachment_while_drafting(two_claims):
    amina_client, amina_claim, _, _ = two_claims
    (document,) = dao_get_claim_documents(amina_claim.id)
    response = amina_client.get(f"/my/claims/{amina_claim.id}/documents/{document.id}")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.data.startswith(b"%PDF-") and b"%amina" in response.data


def test_the_owner_cannot_fetch_files_once_the_claim_is_sent(two_claims):
    _, _, joao_client, joao_claim = two_claims
    (document,) = dao_get_claim_documents(joao_claim.id)
    assert joao_client.get(f"/my/claims/{joao_claim.id}/documents/{document.id}").status_code == 404


def test_signed_out_visitors_are_sent_to_the_identity_check(app, two_claims):
    _, amina_claim, _, _ = two_claims
    response = app.test_client().get(f"/my/claims/{amina_claim.id}")
    assert response.status_code == 302 and response.location.endswith("/check")


def test_legal_gets_any_sent_claims_file_as_an_audited_attachment(app, two_claims):
    _, _, _, joao_claim = two_claims
    (document,) = dao_get_claim_documents(joao_claim.id)
    staff = app.test_client()
    sign_in_staff(staff, Role.LEGAL)
    response = staff.get(f"/staff/claims/{joao_claim.id}/documents/{document.id}")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-store"
    from portal.models import AuditEvent

    assert AuditEvent.query.filter_by(action="claim.document_downloaded").count() == 1


@pytest.mark.parametrize("role", [Role.ADMIN, Role.SUPPORT, Role.AUDITOR])
def test_other_staff_roles_cannot_fetch_proof_files(app, two_claims, role):
    _, _, _, joao_claim = two_claims
    (document,) = dao_get_claim_documents(joao_claim.id)
    staff = app.test_client()
    sign_in_staff(staff, role)
    assert staff.get(f"/staff/claims/{joao_claim.id}/documents/{document.id}").status_code == 403


def test_legal_cannot_reach_a_draft_or_another_claims_document(app, two_claims):
    _, amina_claim, _, joao_claim = two_claims
    (amina_doc,) = dao_get_claim_documents(amina_claim.id)
    staff = app.test_client()
    sign_in_staff(staff, Role.LEGAL)
    assert staff.get(f"/staff/claims/{amina_claim.id}/documents/{amina_doc.id}").status_code == 404  # a draft
    assert staff.get(f"/staff/claims/{joao_claim.id}/documents/{amina_doc.id}").status_code == 404
    assert staff.get(f"/staff/claims/{amina_claim.id}").status_code == 404

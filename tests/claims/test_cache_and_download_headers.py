"""No page with a person's data, and no staff page, may be kept by a cache; downloads keep their own CSP.

Claim pages used to be served without ``Cache-Control: no-store`` (a shared computer's browser
cache kept the claim, its amounts and the masked payment details), and the download's
``sandbox`` policy was overwritten by the site-wide one on the way out.
"""

import pytest

from tests.claims.support import file_claim, pdf_bytes
from tests.factories import sign_in_staff


@pytest.fixture
def filed(signed_in, claimant):
    losses = [("20", "2026-06-01", "Fee", pdf_bytes())]
    return file_claim(signed_in, claimant, benefits=("out_of_pocket",), losses=losses, submit=False)


def test_every_page_of_a_claim_and_of_the_contractor_area_is_no_store(signed_in, filed):
    claim = filed.id
    pages = [
        "/my",
        "/my/claims/",
        f"/my/claims/{claim}/check",
        f"/my/claims/{claim}/losses",
        f"/my/claims/{claim}/payment",
    ]
    for path in pages:
        response = signed_in.get(path)
        assert response.status_code == 200, path
        assert response.headers.get("Cache-Control") == "no-store", path
    signed_in.post(f"/my/claims/{claim}/check", data={"full_name": "Amina Okafor", "confirm": "y"})
    for path in (f"/my/claims/{claim}", f"/my/claims/{claim}/sent"):
        assert signed_in.get(path).headers.get("Cache-Control") == "no-store", path


def test_every_staff_page_and_the_incident_page_are_no_store(app, client, filed):
    legal = app.test_client()
    sign_in_staff(legal, "legal")
    for path in ("/staff/", "/staff/claims/", f"/staff/claims/{filed.id}", "/staff/sign-in"):
        assert legal.get(path).headers.get("Cache-Control") == "no-store", path
    # The incident page carries the language selector's session-bound token (and, for a verified
    # contractor, their Sign out form): a shared cache must never hand one visitor's page to another.
    assert client.get("/").headers.get("Cache-Control") == "no-store"
    assert client.get("/check").headers.get("Cache-Control") == "no-store"  # a form: its token is the session's


def test_a_download_keeps_its_sandbox_policy(app, signed_in, filed):
    from portal.dao.claims import dao_get_claim_documents

    (document,) = dao_get_claim_documents(filed.id)
    response = signed_in.get(f"/my/claims/{filed.id}/documents/{document.id}")
    assert response.status_code == 200
    assert response.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert response.headers["Cache-Control"] == "no-store"

"""A NUL byte or a line break typed into a claim is refused beside its field, never a 500.

On PostgreSQL a NUL in a claim field used to fail the INSERT: a 500, and the log printed the
statement's parameters (the claimant's name and answers). SQLite stored it silently.
"""

from sqlalchemy import func, select

from portal.extensions import db
from portal.models import ClaimStatusChange
from tests.claims.support import file_claim, pdf_bytes, upload
from tests.factories import date_fields


def test_a_nul_in_a_description_is_a_form_error(signed_in, claimant):
    claim = file_claim(signed_in, claimant, benefits=("out_of_pocket",), submit=False)
    response = signed_in.post(
        f"/my/claims/{claim.id}/losses/add",
        data={
            "amount": "20",
            **date_fields("incurred_on", "2026-06-01"),
            "description": "Fee\x00",
            "proof": upload(pdf_bytes()),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert "Remove the invisible control characters from this answer" in response.get_data(as_text=True)


def test_a_line_break_in_the_typed_name_is_a_form_error_and_the_claim_stays_unsent(signed_in, claimant):
    claim = file_claim(signed_in, claimant, submit=False)
    response = signed_in.post(
        f"/my/claims/{claim.id}/check", data={"full_name": "Amina Okafor\r\nX-Injected: 1", "confirm": "y"}
    )
    assert response.status_code == 400 and "Write this answer on one line" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(ClaimStatusChange)) == 0


def test_line_breaks_in_a_multi_line_answer_are_fine(signed_in, claimant):
    claim = file_claim(signed_in, claimant, benefits=("out_of_pocket",), submit=False)
    response = signed_in.post(
        f"/my/claims/{claim.id}/losses/add",
        data={
            "amount": "20",
            **date_fields("incurred_on", "2026-06-01"),
            "description": "Courier\r\nfor the new ID\tcard",
            "proof": upload(pdf_bytes()),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302

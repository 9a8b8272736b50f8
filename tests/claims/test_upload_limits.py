"""Proof uploads have their own body cap, a cap on parts and files, and a pixel cap checked before decoding."""

import io

from PIL import Image

from tests.claims.support import file_claim, pdf_bytes, png_bytes, upload
from tests.factories import date_fields


def test_a_proof_upload_may_be_larger_than_a_form_but_not_than_its_own_cap(app, signed_in, claimant, override_config):
    claim = file_claim(signed_in, claimant, benefits=("out_of_pocket",), submit=False)
    url = f"/my/claims/{claim.id}/losses/add"
    fields = {"amount": "20", **date_fields("incurred_on", "2026-06-01"), "description": "Fee"}
    big_pdf = pdf_bytes(b"%" + b"x" * 200_000)  # a 200 KB scan: over the form cap, fine for an upload
    response = signed_in.post(url, data={**fields, "proof": upload(big_pdf)}, content_type="multipart/form-data")
    assert response.status_code == 302
    override_config(MAX_PROOF_UPLOAD_BYTES=100_000)
    response = signed_in.post(url, data={**fields, "proof": upload(big_pdf)}, content_type="multipart/form-data")
    assert response.status_code == 413


def test_a_proof_upload_with_too_many_parts_or_files_is_refused(signed_in, claimant, app):
    claim = file_claim(signed_in, claimant, benefits=("out_of_pocket",), submit=False)
    url = f"/my/claims/{claim.id}/losses/add"
    fields = {"amount": "20", **date_fields("incurred_on", "2026-06-01"), "description": "Fee"}
    parts = app.config["MAX_PROOF_FORM_PARTS"]
    too_many = [upload(png_bytes(), f"p{n}.png") for n in range(parts)]
    response = signed_in.post(url, data={**fields, "proof": too_many}, content_type="multipart/form-data")
    assert response.status_code == 413
    six = [upload(png_bytes(), f"p{n}.png") for n in range(app.config["MAX_PROOF_FILES"] + 1)]
    response = signed_in.post(url, data={**fields, "proof": six}, content_type="multipart/form-data")
    assert response.status_code == 400 and "Choose at most 5 files at a time" in response.get_data(as_text=True)


def test_an_image_over_the_pixel_cap_is_refused_before_it_is_decoded(signed_in, claimant, app):
    claim = file_claim(signed_in, claimant, benefits=("out_of_pocket",), submit=False)
    out = io.BytesIO()
    Image.new("L", (6000, 5000)).save(out, "PNG")  # 30 megapixels, a few kilobytes compressed
    response = signed_in.post(
        f"/my/claims/{claim.id}/losses/add",
        data={
            "amount": "20",
            **date_fields("incurred_on", "2026-06-01"),
            "description": "Fee",
            "proof": upload(out.getvalue(), "big.png"),
        },
        content_type="multipart/form-data",
    )
    page = response.get_data(as_text=True)
    assert (
        response.status_code == 400
        and "The selected image is 30 megapixels" in page
        and "at most 25 megapixels" in page
    )

"""Proof uploads are judged by content: magic bytes and a real parse; images re-encoded; PDFs that act refused."""

import io
from pathlib import Path

import pytest
from PIL import Image

from portal.claims.proof_files import upload_folder
from portal.claims.uploads import UploadRejected, check_upload, read_limited
from portal.dao.claims import dao_get_claim_documents
from portal.extensions import db
from portal.models import ClaimSettings
from tests.claims.support import jpeg_bytes, pdf_bytes, png_bytes, start, upload

ROOT = Path(__file__).resolve().parents[2]


def refused(data: bytes) -> str:
    with pytest.raises(UploadRejected) as caught:
        check_upload(data)
    return str(caught.value.message)


class TestByContent:
    def test_pdf_jpeg_and_png_are_accepted(self, request_ctx):
        assert check_upload(pdf_bytes()).content_type == "application/pdf"
        assert check_upload(jpeg_bytes()).content_type == "image/jpeg"
        assert check_upload(png_bytes()).content_type == "image/png"

    def test_other_types_are_refused_whatever_their_name_says(self, request_ctx):
        gif = io.BytesIO()
        Image.new("RGB", (4, 4)).save(gif, "GIF")
        for data in (gif.getvalue(), b"MZ\x90\x00 an exe", b"<html><script>alert(1)</script></html>", b"PK\x03\x04zip"):
            assert refused(data) == "The selected file must be a PDF, JPG or PNG"

    def test_magic_bytes_alone_are_not_enough(self, request_ctx):
        assert "could not be read as an image" in refused(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
        assert "could not be read as an image" in refused(png_bytes()[:60])  # truncated
        assert "could not be read as an image" in refused(b"\xff\xd8\xff\xe0" + b"garbage" * 20)

    def test_a_png_with_html_appended_is_refused(self, request_ctx):
        polyglot = png_bytes() + b"<html><body><script>fetch('/steal')</script></body></html>"
        assert "contains web page code" in refused(polyglot)

    def test_a_jpeg_with_a_script_in_its_comment_is_refused(self, request_ctx):
        data = jpeg_bytes()
        polyglot = data[:2] + b"\xff\xfe\x00\x1a<script>alert(1)</script>" + data[2:]
        assert "contains web page code" in refused(polyglot)

    def test_trailing_bytes_after_an_image_are_dropped_by_re_encoding(self, request_ctx):
        checked = check_upload(png_bytes() + b"\x00TRAILING-PAYLOAD-BYTES")
        assert b"TRAILING-PAYLOAD-BYTES" not in checked.data
        assert Image.open(io.BytesIO(checked.data)).size == (40, 30)

    def test_exif_and_gps_are_stripped_from_photos(self, request_ctx):
        original = jpeg_bytes(with_gps=True)
        assert Image.open(io.BytesIO(original)).getexif().get(0x8825)  # the fixture really carries GPS
        stored = check_upload(original).data
        exif = Image.open(io.BytesIO(stored)).getexif()
        assert len(exif) == 0 and b"Exif" not in stored and b"SecretPhone" not in stored

    def test_png_text_chunks_are_stripped(self, request_ctx):
        from PIL.PngImagePlugin import PngInfo

        info = PngInfo()
        info.add_text("Comment", "home address 1 Moi Avenue")
        out = io.BytesIO()
        Image.new("RGB", (8, 8)).save(out, "PNG", pnginfo=info)
        assert b"Moi Avenue" not in check_upload(out.getvalue()).data

    def test_the_hash_is_of_the_file_as_uploaded(self, request_ctx):
        import hashlib

        data = jpeg_bytes(with_gps=True)
        assert check_upload(data).sha256 == hashlib.sha256(data).hexdigest()


def test_an_oversized_file_is_refused_without_reading_all_of_it(request_ctx):
    stream = io.BytesIO(b"x" * 5000)
    with pytest.raises(UploadRejected) as caught:
        read_limited(stream, 1024)
    assert "must be smaller than 1 KB" in str(caught.value.message)
    assert stream.tell() == 1025


def _lost_time_upload(client, claim_id, data, name="proof.pdf"):
    return client.post(
        f"/my/claims/{claim_id}/lost-time",
        content_type="multipart/form-data",
        data={"hours": "2", "description": "Calls", "documents": [upload(data, name)]},
    )


class TestThroughTheForm:
    def _lost_time_claim(self, client, claimant):
        claim_id = start(client, claimant)
        client.post(f"/my/claims/{claim_id}/benefits", data={"benefits": ["lost_time"]})
        return claim_id

    def test_a_renamed_file_is_refused_beside_the_field(self, signed_in, claimant):
        claim_id = self._lost_time_claim(signed_in, claimant)
        response = _lost_time_upload(signed_in, claim_id, b"<html>not really a pdf</html>", "receipt.pdf")
        text = response.get_data(as_text=True)
        assert response.status_code == 400
        assert "There is a problem" in text and 'href="#documents"' in text and 'id="documents-error"' in text
        assert dao_get_claim_documents(claim_id) == []

    def test_a_file_over_the_incidents_cap_is_refused(self, signed_in, claimant):
        claim_id = self._lost_time_claim(signed_in, claimant)
        db.session.get(ClaimSettings, claimant.incident.id).max_file_bytes = 1024
        db.session.commit()
        response = _lost_time_upload(signed_in, claim_id, pdf_bytes(b"%" + b"x" * 2048))
        assert "The selected file must be smaller than 1 KB" in response.get_data(as_text=True)

    def test_the_files_of_one_claim_are_capped_in_total(self, signed_in, claimant):
        claim_id = self._lost_time_claim(signed_in, claimant)
        settings = db.session.get(ClaimSettings, claimant.incident.id)
        settings.max_claim_bytes = len(pdf_bytes(b"%" + b"a" * 300)) + 10
        db.session.commit()
        assert _lost_time_upload(signed_in, claim_id, pdf_bytes(b"%" + b"a" * 300)).status_code == 302
        response = _lost_time_upload(signed_in, claim_id, pdf_bytes(b"%" + b"b" * 300))
        assert response.status_code == 400
        assert "The files for one claim can add up to" in response.get_data(as_text=True)
        assert len(dao_get_claim_documents(claim_id)) == 1

    def test_files_are_stored_outside_static_under_random_names_with_their_hash(self, app, signed_in, claimant):
        claim_id = self._lost_time_claim(signed_in, claimant)
        _lost_time_upload(signed_in, claim_id, jpeg_bytes(with_gps=True), "my-home.jpg")
        (document,) = dao_get_claim_documents(claim_id)
        folder = upload_folder()
        stored = folder / document.stored_name
        assert stored.is_file() and "my-home" not in document.stored_name and len(document.stored_name) == 32
        assert not str(folder.resolve()).startswith(str((ROOT / "static").resolve()))
        assert document.content_type == "image/jpeg" and len(document.sha256) == 64
        assert b"Exif" not in stored.read_bytes()


def test_proof_files_are_encrypted_at_rest_and_decrypted_only_to_be_sent(app, signed_in, claimant):
    from portal.claims.proof_files import read_stored
    from portal.crypto import DecryptionError
    from tests.claims.support import file_claim

    receipt = pdf_bytes(b"% RECEIPT-4410-AMINA")
    claim = file_claim(signed_in, claimant, benefits=("out_of_pocket",), losses=[("20", "2026-06-01", "Fee", receipt)])
    (document,) = dao_get_claim_documents(claim.id)
    on_disk = (upload_folder() / document.stored_name).read_bytes()
    assert on_disk.startswith(b"EPP1") and b"RECEIPT-4410-AMINA" not in on_disk and b"%PDF" not in on_disk

    legal = app.test_client()
    from tests.factories import sign_in_staff

    sign_in_staff(legal, "legal")
    response = legal.get(f"/staff/claims/{claim.id}/documents/{document.id}")
    assert response.status_code == 200 and b"RECEIPT-4410-AMINA" in response.data
    assert response.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"

    # A file moved under another's name does not decrypt: each is bound to its own name.
    other = upload_folder() / ("0" * 32)
    other.write_bytes(on_disk)
    with pytest.raises(DecryptionError):
        read_stored("0" * 32)
    other.unlink()

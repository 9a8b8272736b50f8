"""Proof uploads: PDF, JPEG or PNG, judged by content, never by the name or the browser's type.

An image must start with its magic bytes AND survive a full decode by Pillow; it is then re-encoded,
which drops EXIF (camera, GPS position), text chunks and anything appended after the image (the
"polyglot" trick of a PNG that is also an HTML page). A PDF is judged by a PDF parser and stored
as it rewrote it (claims/pdf_check.py): anything that could act when opened refuses it.

Storage, encrypted at rest, is claims/proof_files.py.
"""

import hashlib
import io
import warnings
from dataclasses import dataclass

from flask import current_app
from flask_babel import lazy_gettext as _l
from PIL import Image, ImageOps, UnidentifiedImageError

from portal.claims.pdf_check import MESSAGES as PDF_MESSAGES
from portal.claims.pdf_check import PdfRefused, check_pdf
from portal.web.request_limits import size_words as format_size

PDF = "application/pdf"
JPEG = "image/jpeg"
PNG = "image/png"
EXTENSIONS = {PDF: "pdf", JPEG: "jpg", PNG: "png"}
MARKUP_MARKERS = (
    b"<script",
    b"<html",
    b"<!doctype html",
    b"<iframe",
    b"<svg",
    b"<body",
    b"<object",
    b"<embed",
    b"<?php",
    b"javascript:",
    b"<meta http-equiv",
)


class UploadRejected(ValueError):
    """The file cannot be accepted; ``message`` is a sentence for the person who chose it."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


@dataclass(frozen=True)
class CheckedFile:
    content_type: str
    data: bytes  # what is stored: the re-encoded image, or the PDF as sent
    sha256: str  # of the file as uploaded, so the same proof sent twice is recognised


def read_limited(stream, max_bytes: int) -> bytes:
    """Read at most ``max_bytes``; a larger file is refused without reading the rest of it."""
    data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise UploadRejected(_l("The selected file must be smaller than %(size)s", size=format_size(max_bytes)))
    if not data:
        raise UploadRejected(_l("The selected file is empty"))
    return data


def sniff(data: bytes) -> str | None:
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    return None


def check_upload(data: bytes) -> CheckedFile:
    """Accept or refuse a proof file; raise UploadRejected with the reason."""
    kind = sniff(data)
    if kind is None:
        raise UploadRejected(_l("The selected file must be a PDF, JPG or PNG"))
    if _has_markup(data):
        raise UploadRejected(
            _l(
                "The selected file contains web page code, so it cannot be accepted. "
                "Save or scan the document again as a PDF, JPG or PNG"
            )
        )
    stored = _check_pdf(data) if kind == PDF else _reencode_image(data, kind)
    return CheckedFile(content_type=kind, data=stored, sha256=hashlib.sha256(data).hexdigest())


def _has_markup(data: bytes) -> bool:
    lowered = data.lower()
    return any(marker in lowered for marker in MARKUP_MARKERS)


def _unreadable_image() -> UploadRejected:
    return UploadRejected(_l("The selected file could not be read as an image. Take the photo or scan again"))


def _check_pixels(pixels: int) -> None:
    """Decoding costs memory and time by the pixel (a 50-megapixel PNG: half a gigabyte, a second):
    refuse a picture over PROOF_IMAGE_MAX_PIXELS before decoding any of it."""
    cap = int(current_app.config["PROOF_IMAGE_MAX_PIXELS"])
    if pixels > cap:
        raise UploadRejected(
            _l(
                "The selected image is %(size)s megapixels. Send a photo or scan of at most %(cap)s megapixels: "
                "choose a smaller size in your camera or scanner settings, or resize the picture",
                size=f"{pixels / 1_000_000:.0f}",
                cap=f"{cap / 1_000_000:.0f}",
            )
        )


def _reencode_image(data: bytes, kind: str) -> bytes:
    expected = "JPEG" if kind == JPEG else "PNG"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:  # reads the header only: the size costs nothing yet
                if probe.format != expected:
                    raise _unreadable_image()
                _check_pixels(probe.width * probe.height)
                probe.verify()  # checks the structure (PNG chunk CRCs) without decoding pixels
            with Image.open(io.BytesIO(data)) as image:
                image.load()  # decodes every pixel: a truncated or corrupt file fails here
                clean = ImageOps.exif_transpose(image)  # keep the photo upright once EXIF is gone
    except UploadRejected:
        raise
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        Image.DecompressionBombWarning,
        Image.DecompressionBombError,
    ) as exc:
        raise _unreadable_image() from exc
    # Nothing from the original's metadata is written back, except PNG transparency (it is the picture).
    keep = {"transparency": clean.info["transparency"]} if "transparency" in clean.info else {}
    clean.info = keep
    out = io.BytesIO()
    if kind == JPEG:
        if clean.mode not in ("RGB", "L"):
            clean = clean.convert("RGB")
        clean.save(out, "JPEG", quality=90)
    else:
        clean.save(out, "PNG", **keep)
    return out.getvalue()


def _check_pdf(data: bytes) -> bytes:
    try:
        return check_pdf(data)
    except PdfRefused as refused:
        raise UploadRejected(PDF_MESSAGES[refused.reason]) from refused

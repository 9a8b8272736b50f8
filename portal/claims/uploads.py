"""Proof uploads: PDF, JPEG or PNG, judged by content, never by the name or the browser's type.

An image must start with its magic bytes AND survive a full decode by Pillow; it is then re-encoded,
which drops EXIF (camera, GPS position), text chunks and anything appended after the image (the
"polyglot" trick of a PNG that is also an HTML page). A PDF cannot be re-written without a PDF
library, so it is refused instead when it could act: JavaScript, launch actions, embedded files,
HTML or script markup, or encryption that hides its content from this check. Names are read with
their ``#xx`` escapes undone and compressed (Flate) streams are inflated before looking, because
``/J#61vaScript`` and object streams are how such PDFs usually hide.

Files live in UPLOAD_FOLDER (default ``<instance>/uploads``), outside ``static/``, under random names;
they are only ever sent back as attachments (see routes).
"""

import contextlib
import hashlib
import io
import os
import re
import secrets
import warnings
import zlib
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from flask_babel import lazy_gettext as _l
from PIL import Image, ImageOps, UnidentifiedImageError

from portal.request_limits import size_words as format_size

PDF = "application/pdf"
JPEG = "image/jpeg"
PNG = "image/png"
EXTENSIONS = {PDF: "pdf", JPEG: "jpg", PNG: "png"}
# Inflating a PDF's streams is bounded too, or a small file could unpack to gigabytes.
MAX_INFLATED_BYTES = 64 * 1024 * 1024
DANGEROUS_PDF_NAMES = frozenset({"JavaScript", "JS", "Launch", "EmbeddedFile", "EmbeddedFiles", "RichMedia"})
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
_PDF_NAME = re.compile(rb"/((?:[^\s/\[\]<>(){}%#]|#[0-9A-Fa-f]{2})+)")
_PDF_STREAM = re.compile(rb"stream\r?\n")
_STORED_NAME = re.compile(r"[0-9a-f]{32}")


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


def _pdf_names(chunk: bytes) -> set[str]:
    names = set()
    for match in _PDF_NAME.finditer(chunk):
        raw = re.sub(rb"#([0-9A-Fa-f]{2})", lambda m: bytes([int(m.group(1), 16)]), match.group(1))
        names.add(raw.decode("latin-1"))
    return names


def _inflated_streams(data: bytes):
    """Yield each stream's inflated bytes (those that are Flate-compressed), within the budget."""
    budget = MAX_INFLATED_BYTES
    for match in _PDF_STREAM.finditer(data):
        end = data.find(b"endstream", match.end())
        if end < 0:
            break
        inflater = zlib.decompressobj()
        try:
            chunk = inflater.decompress(data[match.end() : end], budget + 1)
        except zlib.error:
            continue  # not Flate (an image's DCT data, say): the raw bytes were already scanned
        budget -= len(chunk)
        if budget < 0:
            raise UploadRejected(_l("The selected PDF is too complex to check. Save it again, or send a photo of it"))
        yield chunk


def _check_pdf(data: bytes) -> bytes:
    if b"%%EOF" not in data[-1024:]:
        raise UploadRejected(_l("The selected PDF is damaged or incomplete. Save it again and upload the new copy"))
    names = _pdf_names(data)
    if "Encrypt" in names:
        raise UploadRejected(_l("The selected PDF is protected by a password. Upload a copy without a password"))
    for chunk in _inflated_streams(data):
        if _has_markup(chunk):
            raise UploadRejected(
                _l(
                    "The selected file contains web page code, so it cannot be accepted. "
                    "Save or scan the document again as a PDF, JPG or PNG"
                )
            )
        names |= _pdf_names(chunk)
    if names & DANGEROUS_PDF_NAMES:
        raise UploadRejected(
            _l(
                "The selected PDF contains scripts or attached files, so it cannot be accepted. "
                "Print it to a new PDF, or send a photo or scan of it"
            )
        )
    return data


# -- storage --------------------------------------------------------------------------------------------


def upload_folder() -> Path:
    configured = current_app.config.get("UPLOAD_FOLDER") or str(Path(current_app.instance_path) / "uploads")
    folder = Path(configured)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return folder


def store_file(data: bytes) -> str:
    """Write the file under a new random name and return the name. Written whole or not at all."""
    name = secrets.token_hex(16)
    folder = upload_folder()
    temporary = folder / f".{name}.part"
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.replace(temporary, folder / name)
    return name


def stored_path(stored_name: str) -> Path:
    if not _STORED_NAME.fullmatch(stored_name):
        raise ValueError("not a stored upload name")
    return upload_folder() / stored_name


def delete_stored(stored_name: str) -> None:
    with contextlib.suppress(FileNotFoundError, ValueError):
        stored_path(stored_name).unlink()

"""The organisation's logo: an admin uploads a PNG or JPEG; what is kept is Pillow's re-encoding.

An uploaded image is untrusted input parsed on the server and then served to every visitor, so:
the file's size is capped before Pillow sees it; only PNG and JPEG are opened (Pillow is told
which formats to try, so no other decoder runs); the pixel count is checked from the header before
the pixels are decoded (a small file can claim a huge image); and the stored image is a fresh
encoding of the pixels alone, scaled to header size, so no metadata (EXIF with a location, text
chunks), trailing bytes or polyglot content of the upload survives. It is served as the type we
wrote, never the type the browser sent.
"""

import hashlib
import io
import warnings
from dataclasses import dataclass

from flask_babel import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from portal.audit.chain import record_audit
from portal.dao.organisation import dao_add_organisation, dao_get_organisation
from portal.extensions import db
from portal.models import Organisation
from portal.trust.constants import TrustAudit
from portal.trust.organisation import EDITABLE_FIELDS, ORGANISATION_ID, forget_cached_organisation, values_from_config

LOGO_MAX_BYTES = 2 * 1024 * 1024
LOGO_MAX_PIXELS = 25_000_000  # 5000 x 5000: far above any logo, far below a decompression bomb
# Kept at twice the header's 48 px, for sharp screens; wide logos are bounded too.
LOGO_BOX = (800, 96)
FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg"}


class LogoRefused(ValueError):
    """The upload is not a logo we keep; the message is for the admin."""


@dataclass(frozen=True)
class PreparedLogo:
    data: bytes
    mime: str
    width: int
    height: int


def prepare_logo(upload: bytes) -> PreparedLogo:
    """Check and re-encode an uploaded logo, or raise LogoRefused saying why."""
    if not upload:
        raise LogoRefused(_("Choose a PNG or JPEG file"))
    if len(upload) > LOGO_MAX_BYTES:
        raise LogoRefused(_("The file must be 2 MB or smaller"))
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(upload), formats=tuple(FORMATS))  # the header only, so far
        except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombWarning) as exc:
            raise LogoRefused(_("The file must be a PNG or JPEG image")) from exc
        width, height = image.size
        if width * height > LOGO_MAX_PIXELS or not width or not height:
            raise LogoRefused(_("The image must be at most 25 million pixels (for example 5000 × 5000)"))
        source_format = image.format
        try:
            image.load()  # decodes every pixel: a truncated or corrupt file fails here
            image = ImageOps.exif_transpose(image)  # upright, before its EXIF is dropped
        except (OSError, SyntaxError, ValueError, Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise LogoRefused(_("The image could not be read: it may be damaged")) from exc
    image.thumbnail(LOGO_BOX, Image.Resampling.LANCZOS)
    out = io.BytesIO()
    if source_format == "JPEG":
        image.convert("RGB").save(out, "JPEG", quality=90, optimize=True)
    else:
        keep = image.mode if image.mode in ("RGB", "RGBA", "L", "LA") else "RGBA"
        image.convert(keep).save(out, "PNG", optimize=True)
    return PreparedLogo(out.getvalue(), FORMATS[source_format], image.width, image.height)


def _row() -> Organisation:
    row = dao_get_organisation(ORGANISATION_ID)
    if row is None:  # the logo before any other detail: start the row from configuration, as the form does
        row = Organisation(id=ORGANISATION_ID, **{name: values_from_config()[name] or "" for name in EDITABLE_FIELDS})
        dao_add_organisation(row)
    return row


def save_logo(logo: PreparedLogo) -> None:
    """Store the re-encoded logo, audited with its SHA-256 and size, in one transaction."""
    row = _row()
    row.logo, row.logo_type, row.logo_width, row.logo_height = logo.data, logo.mime, logo.width, logo.height
    digest = hashlib.sha256(logo.data).hexdigest()
    record_audit(
        TrustAudit.LOGO_UPDATED,
        "organisation",
        {"sha256": digest, "type": logo.mime, "width": logo.width, "height": logo.height},
    )
    db.session.commit()
    forget_cached_organisation()


def remove_logo() -> bool:
    """Take the logo off every page; False if there was none."""
    row = dao_get_organisation(ORGANISATION_ID)
    if row is None or not row.logo_type:
        return False
    row.logo, row.logo_type, row.logo_width, row.logo_height = None, "", 0, 0
    record_audit(TrustAudit.LOGO_REMOVED, "organisation")
    db.session.commit()
    forget_cached_organisation()
    return True


def stored_logo() -> tuple[bytes, str] | None:
    """(bytes, type) to serve, or None."""
    row = dao_get_organisation(ORGANISATION_ID)
    if row is None or not row.logo_type or not row.logo:
        return None
    return row.logo, row.logo_type

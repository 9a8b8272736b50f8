"""The organisation's logo: an admin uploads it, only PNG or JPEG, re-encoded, capped, audited, shown."""

import hashlib
import io
import json
import re

import pytest
from PIL import Image, PngImagePlugin

from portal.constants import Role
from portal.extensions import db
from portal.models import AuditEvent, Organisation, OutboxMessage
from tests.factories import sign_in_staff
from tests.trust.test_organisation import FORM


def _png(size=(400, 100), text: str | None = None) -> bytes:
    info = PngImagePlugin.PngInfo()
    if text:
        info.add_text("Comment", text)
    out = io.BytesIO()
    Image.new("RGBA", size, (20, 90, 160, 255)).save(out, "PNG", pnginfo=info)
    return out.getvalue()


def _jpeg_with_location() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "Camera maker"  # Make
    exif[0x8825] = {1: "N", 2: (1.0, 17.0, 0.0)}  # GPS: a latitude
    out = io.BytesIO()
    Image.new("RGB", (300, 300), (200, 40, 40)).save(out, "JPEG", exif=exif)
    return out.getvalue()


@pytest.fixture
def admin(app, app_ctx):
    client = app.test_client()
    sign_in_staff(client, Role.ADMIN)
    client.post("/staff/organisation", data=FORM)
    client.get("/staff/organisation")
    return client


def _upload(client, data: bytes, name="logo.png"):
    return client.post("/staff/organisation/logo", data={"logo": (io.BytesIO(data), name)})


def test_an_uploaded_png_is_re_encoded_audited_and_shown_with_the_organisation_s_name(admin, client):
    upload = _png(size=(1600, 400), text="secret note in a text chunk")
    assert _upload(admin, upload).status_code == 302
    row = db.session.get(Organisation, 1)
    assert row.logo_type == "image/png" and (row.logo_width, row.logo_height) == (384, 96)  # scaled to 96 px high
    assert row.logo != upload and b"secret note" not in row.logo
    event = db.session.query(AuditEvent).filter_by(action="organisation.logo_updated").one()
    assert json.loads(event.details) == {
        "height": 96,
        "sha256": hashlib.sha256(row.logo).hexdigest(),
        "type": "image/png",
        "width": 384,
    }
    for path in ("/", "/is-this-from-us"):
        page = client.get(path).get_data(as_text=True)
        images = re.findall(r'<img[^>]*src="/organisation-logo\?v=\d+"[^>]*>', page)
        assert images and all('alt="Acme Gig Works Ltd"' in tag and 'width="384"' in tag for tag in images), path
    served = client.get(re.search(r'src="(/organisation-logo\?v=\d+)"', page).group(1))
    assert served.status_code == 200 and served.mimetype == "image/png" and served.data == row.logo
    assert Image.open(io.BytesIO(served.data)).size == (384, 96)


def test_a_jpeg_keeps_its_pixels_and_loses_its_metadata(admin):
    upload = _jpeg_with_location()
    assert Image.open(io.BytesIO(upload)).getexif()
    assert _upload(admin, upload, "photo.jpg").status_code == 302
    row = db.session.get(Organisation, 1)
    stored = Image.open(io.BytesIO(row.logo))
    assert row.logo_type == "image/jpeg" and stored.format == "JPEG" and stored.size == (96, 96)
    assert not stored.getexif() and b"Camera maker" not in row.logo


def _gif() -> bytes:
    out = io.BytesIO()
    Image.new("P", (10, 10)).save(out, "GIF")
    return out.getvalue()


def _pixel_bomb() -> bytes:
    out = io.BytesIO()
    Image.new("1", (6000, 5000)).save(out, "PNG")  # a few kilobytes that decode to 30 million pixels
    return out.getvalue()


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (_gif(), "The file must be a PNG or JPEG image"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "must be a PNG or JPEG"),
        (b"\x89PNG\r\n\x1a\n" + b"not really a png" * 10, "must be a PNG or JPEG"),
        (_png()[:200], "could not be read"),
        (_pixel_bomb(), "at most 25 million pixels"),
        (b"\x89PNG" + b"\0" * (2 * 1024 * 1024), "2 MB or smaller"),
    ],
    ids=["gif", "svg", "fake-png", "truncated", "pixel-bomb", "too-big"],
)
def test_anything_but_a_sound_png_or_jpeg_within_the_caps_is_refused_and_changes_nothing(admin, upload, message):
    answer = _upload(admin, upload)
    assert answer.status_code == 400 and message in answer.get_data(as_text=True)
    row = db.session.get(Organisation, 1)
    assert row.logo_type == "" and row.logo is None
    assert db.session.query(AuditEvent).filter_by(action="organisation.logo_updated").count() == 0


def test_removing_the_logo_takes_it_off_every_page_audited(admin, client):
    _upload(admin, _png())
    admin.get("/staff/organisation")
    assert admin.post("/staff/organisation/logo/remove").status_code == 302
    assert "/organisation-logo" not in client.get("/").get_data(as_text=True)
    assert client.get("/organisation-logo").status_code == 404
    assert db.session.query(AuditEvent).filter_by(action="organisation.logo_removed").count() == 1


def test_only_admins_change_the_logo(app, app_ctx):
    support = app.test_client()
    sign_in_staff(support, Role.SUPPORT)
    support.get("/staff")
    assert _upload(support, _png()).status_code == 403


def test_notices_by_email_carry_no_logo(admin, app):
    _upload(admin, _png())
    from tests.factories import make_batch_with_notifications

    make_batch_with_notifications(count=1)
    from portal.models import Batch
    from portal.sending.service import dispatch_batch

    dispatch_batch(db.session.query(Batch).one().id)
    mail = db.session.query(OutboxMessage).one()
    assert "organisation-logo" not in mail.body_html and "<img" not in mail.body_html

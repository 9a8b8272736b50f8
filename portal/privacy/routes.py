"""The verified contractor's own record (PDF) and access copy (JSON). Nothing personal in the URL:
the person is the session's, so there is no id to change and no one else's record to reach."""

import hashlib
import json
from contextlib import nullcontext

from flask import Response, render_template
from flask_babel import force_locale

from portal.audit import record_audit
from portal.constants import AuditAction
from portal.extensions import db
from portal.i18n import best_language
from portal.privacy import bp
from portal.privacy.notice import notice_context
from portal.privacy.pdf import render_record_pdf
from portal.privacy.record import access_copy, build_record, new_reference
from portal.verify.session import contractor_required


def _download(body: bytes, mimetype: str, filename: str, person, file_format: str, reference: str) -> Response:
    record_audit(
        AuditAction.RECORD_DOWNLOADED,
        f"person:{person.uid}",
        {"format": file_format, "reference": reference, "sha256": hashlib.sha256(body).hexdigest()},
        actor=f"contractor:{person.uid}",
    )
    db.session.commit()
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/my/record.pdf")
@contractor_required
def record_pdf(person):
    """In the person's register language when we have it, else the one they are reading the site in."""
    language = best_language(person.preferred_language)
    with force_locale(language) if language else nullcontext():
        record = build_record(person)
        body = render_record_pdf(record)
    return _download(body, "application/pdf", "my-record.pdf", person, "pdf", record.reference)


@bp.route("/my/record.json")
@contractor_required
def record_json(person):
    reference = new_reference()
    body = json.dumps(access_copy(person, reference), ensure_ascii=False, indent=2).encode()
    return _download(body, "application/json", "my-data.json", person, "json", reference)


@bp.route("/privacy")
def privacy_notice():
    """Public: generated from the configuration, so it says what the portal really does."""
    return render_template("privacy/notice.html", **notice_context())

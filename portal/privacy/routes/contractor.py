"""The verified contractor's own record (PDF) and access copy (JSON). Nothing personal in the URL:
the person is the session's, so there is no id to change and no one else's record to reach."""

import json
from contextlib import nullcontext

from flask import render_template
from flask_babel import force_locale

from portal.core.i18n import best_language
from portal.privacy import bp
from portal.privacy.downloads import send_download
from portal.privacy.notice import notice_context
from portal.privacy.pdf import render_record_pdf
from portal.privacy.record import access_copy, build_record, new_reference
from portal.verify.session import contractor_required


@bp.route("/my/record.pdf")
@contractor_required
def record_pdf(person):
    """In the person's register language when we have it, else the one they are reading the site in."""
    language = best_language(person.preferred_language)
    with force_locale(language) if language else nullcontext():
        record = build_record(person)
        body = render_record_pdf(record)
    return send_download(
        body, "application/pdf", "my-record.pdf", person, "pdf", record.reference, f"contractor:{person.uid}"
    )


@bp.route("/my/record.json")
@contractor_required
def record_json(person):
    reference = new_reference()
    body = json.dumps(access_copy(person, reference), ensure_ascii=False, indent=2).encode()
    return send_download(
        body, "application/json", "my-data.json", person, "json", reference, f"contractor:{person.uid}"
    )


@bp.route("/privacy")
def privacy_notice():
    """Public: generated from the configuration, so it says what the portal really does."""
    return render_template("privacy/notice.html", **notice_context())

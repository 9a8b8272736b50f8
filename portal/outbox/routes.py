"""The outbox: mail the ``outbox`` backend kept instead of sending, shown as its recipient would see it."""

import math

import bleach
from flask import abort, render_template
from markupsafe import Markup

from portal.audit import record_audit
from portal.constants import ROLES_READING_OUTBOX, AuditAction
from portal.dao.mail import dao_get_outbox_message, dao_get_outbox_page
from portal.extensions import db
from portal.outbox import bp
from portal.paging import check_page_exists, page_number
from portal.rendering import ALLOWED_ATTRIBUTES, ALLOWED_TAGS
from portal.staff.auth import role_required

PER_PAGE = 50
# An email's HTML also uses tables and headings; still no scripts, styles, images or event handlers.
MAIL_TAGS = [*ALLOWED_TAGS, "h1", "hr", "table", "thead", "tbody", "tr", "th", "td", "span", "div", "pre"]


def sanitised_mail_html(html: str) -> Markup:
    """The HTML body through the same kind of allow-list as public Markdown: shown, never trusted."""
    cleaned = bleach.clean(
        html,
        tags=MAIL_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        protocols=["https", "http", "mailto", "tel"],
        strip=True,
        strip_comments=True,
    )
    return Markup(cleaned)  # noqa: S704 - sanitised by bleach just above


def _outbox_page(page: int) -> tuple[list, int, int]:
    messages, total = dao_get_outbox_page(page, PER_PAGE)
    return messages, total, max(1, math.ceil(total / PER_PAGE))


def _outbox_message(message_id: int):
    message = dao_get_outbox_message(message_id)
    if message is not None:
        # A message can carry a notice code: who read one is worth knowing.
        record_audit(AuditAction.OUTBOX_MESSAGE_VIEWED, f"outbox:{message.id}", {"kind": message.kind})
        db.session.commit()
    return message


@bp.route("/")
@role_required(*ROLES_READING_OUTBOX)
def outbox_list():
    """Messages kept by the outbox backend, newest first, 50 to a page."""
    page = page_number()
    messages, total, pages = _outbox_page(page)
    check_page_exists(page, pages)
    return render_template("outbox/list.html", messages=messages, total=total, page=page, pages=pages)


@bp.route("/<int:message_id>")
@role_required(*ROLES_READING_OUTBOX)
def outbox_message(message_id):
    """One message: plain text as sent, and the HTML body (sanitised) if it has one."""
    message = _outbox_message(message_id)
    if message is None:
        abort(404)
    html = sanitised_mail_html(message.body_html) if message.body_html else None
    return render_template("outbox/message.html", message=message, html=html)

"""The outbox: mail the ``outbox`` backend kept instead of sending, shown as its recipient would see it,
except that notice codes are masked: only the person a code was mailed to may read it."""

import math
import re
from dataclasses import dataclass
from datetime import datetime

import bleach
from flask import abort, render_template
from markupsafe import Markup

from portal.audit.chain import record_audit
from portal.constants import ROLES_READING_OUTBOX, AuditAction
from portal.core.rendering import ALLOWED_ATTRIBUTES, ALLOWED_TAGS
from portal.dao.outbox import dao_get_outbox_message, dao_get_outbox_page
from portal.extensions import db
from portal.outbox import bp
from portal.staff.auth import role_required
from portal.web.paging import check_page_exists, page_number

PER_PAGE = 50
# A notice code as mails print it (three groups of four, dashes optional). Only the person it was
# mailed to may read it: whoever reads the outbox could otherwise sign in as them.
_NOTICE_CODE = re.compile(r"\b[0-9A-HJKMNP-TV-Z]{4}-?[0-9A-HJKMNP-TV-Z]{4}-?[0-9A-HJKMNP-TV-Z]{4}\b")
MASKED_CODE = "••••-••••-••••"


def mask_codes(text: str) -> str:
    return _NOTICE_CODE.sub(MASKED_CODE, text)


@dataclass(frozen=True)
class ShownMessage:
    """An outbox message as staff see it: every notice code masked."""

    id: int
    kind: str
    to_address: str
    subject: str
    body_text: str
    body_html: str
    created_at: datetime

    @classmethod
    def of(cls, message) -> "ShownMessage":
        return cls(
            message.id,
            message.kind,
            message.to_address,
            mask_codes(message.subject),
            mask_codes(message.body_text),
            mask_codes(message.body_html or ""),
            message.created_at,
        )


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
    return [ShownMessage.of(message) for message in messages], total, max(1, math.ceil(total / PER_PAGE))


def _outbox_message(message_id: int):
    message = dao_get_outbox_message(message_id)
    if message is not None:
        # A message can carry a notice code: who read one is worth knowing.
        record_audit(AuditAction.OUTBOX_MESSAGE_VIEWED, f"outbox:{message.id}", {"kind": message.kind})
        db.session.commit()
        return ShownMessage.of(message)
    return None


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

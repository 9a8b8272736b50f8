"""Identity check with a notice code, and re-issuing a lost code."""

import hmac
import logging
from datetime import date, datetime, timedelta

from flask import current_app, render_template
from flask_babel import gettext as _

from portal.audit.chain import record_audit
from portal.background.dispatch import run_task
from portal.background.tasks import REISSUE_NOTICE_CODE
from portal.constants import AuditAction, MailKind, NoticeCodeSource
from portal.core.text import fold
from portal.core.time import utcnow
from portal.crypto import crypto, normalize_email
from portal.crypto.notice_codes import fresh_notice_code, normalize_notice_code, notice_code_hash, typed_code_hash
from portal.dao.notice_codes import dao_add_notice_code, dao_get_live_notice_code, dao_revoke_notice_codes_older_than
from portal.dao.people import (
    dao_find_people_by_email_index,
    dao_get_person,
)
from portal.extensions import db
from portal.mail import Message, send_message
from portal.models import NoticeCode, Person
from portal.updates.mail import in_language_of

log = logging.getLogger(__name__)


def code_limit_key(code_text: str) -> str:
    """Rate-limit key for a code: its keyed hash, so the limiter's storage never holds a code."""
    return typed_code_hash(code_text)


def verify_identity(code_text: str, last_name: str, date_of_birth: date) -> Person | None:
    """The person these details belong to, or None. Callers must not say which detail was wrong."""
    normalized = normalize_notice_code(code_text)
    code = dao_get_live_notice_code(notice_code_hash(normalized)) if normalized else None
    if code is None or reissued_code_expired(code, utcnow()):
        return None
    person = dao_get_person(code.person_id)
    name_ok = hmac.compare_digest(fold(person.last_name), fold(last_name))
    if not name_ok or person.date_of_birth != date_of_birth:
        return None
    now = utcnow()
    code.last_used_at = now
    dao_revoke_notice_codes_older_than(code, now)
    record_audit(AuditAction.CONTRACTOR_VERIFIED, f"person:{person.uid}", actor=f"contractor:{person.uid}")
    db.session.commit()
    return person


def reissued_code_expired(code: NoticeCode, now: datetime) -> bool:
    """A code mailed on request ("I lost my code") works for REISSUED_CODE_VALID_HOURS only: a mailbox
    read later, or by someone else, should not hold a key to the person's page for ever. Codes
    printed in notices keep working until a newer one is used (a letter may be read months later)."""
    if code.source != NoticeCodeSource.REISSUE:
        return False
    return now - code.created_at > timedelta(hours=current_app.config["REISSUED_CODE_VALID_HOURS"])


_LOST_CODE_AAD = "lost-code-request"


def request_new_code(email: str) -> None:
    """Hand the request to the background and return at once, whether or not the email is known.

    Looking the address up and posting the mail inside the request would answer a known address
    (~160 ms with SendGrid) visibly slower than an unknown one (~4 ms), so the request does the
    same constant work for both: seal the address and dispatch. The address travels sealed, so
    the broker never holds it readable.
    """
    sealed = crypto().cipher.encrypt(normalize_email(email), _LOST_CODE_AAD)
    run_task(REISSUE_NOTICE_CODE, sealed)


def reissue_sealed(sealed: str) -> None:
    """The background half of ``request_new_code`` (Celery task, thread, or inline in tests)."""
    reissue_notice_code(crypto().cipher.decrypt(sealed, _LOST_CODE_AAD))


def reissue_notice_code(email: str) -> None:
    """Send a fresh code to every register entry with this email. Silent either way, by design."""
    people = dao_find_people_by_email_index(crypto().email_index(normalize_email(email)))
    messages = []
    for person in people:
        code, code_hash = fresh_notice_code()
        dao_add_notice_code(person.id, code_hash, NoticeCodeSource.REISSUE)
        record_audit(AuditAction.NOTICE_CODE_REISSUED, f"person:{person.uid}", actor="anonymous")
        messages.append(_reissue_message(person, code))
    # The codes are committed before anything is posted: no transaction (nor SQLite's write lock)
    # is held across a slow SendGrid answer. A mail SendGrid refuses leaves a code nobody received,
    # which is harmless: the person asks again.
    db.session.commit()
    for message in messages:
        send_message(message)
    db.session.commit()  # the outbox backend keeps its copy in the session


def _reissue_message(person: Person, code: str) -> Message:
    """In the person's own language, like their notice, whatever language the request came in."""
    context = {
        "person": person,
        "code": code,
        "portal_url": current_app.config["PUBLIC_URL"].rstrip("/"),
        "valid_hours": current_app.config["REISSUED_CODE_VALID_HOURS"],
    }
    with in_language_of(person):
        return Message(
            kind=MailKind.NOTICE_CODE_REISSUE,
            to_address=person.email,
            subject=_("Your new notice code for the Exposure Portal"),
            body_text=render_template("verify/mail_new_code.txt", **context),
        )

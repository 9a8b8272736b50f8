"""A contractor keeps their own contact details current: phone and postal address at once, a new
email once the link mailed to it is followed (the old address is told). Each change is audited
(which kinds, never the values) and kept, sealed, for staff to see; letters and notices read the
person's row, so the next one uses the new details.
"""

import hashlib
import json
import secrets
import uuid
from datetime import timedelta

from flask import current_app, render_template
from flask_babel import gettext as _

from portal.audit.chain import record_audit
from portal.constants import ContactChangeStatus, NotificationStatus
from portal.core.time import utcnow
from portal.crypto import crypto, normalize_email
from portal.dao.contact_changes import (
    dao_add_contact_change,
    dao_apply_contact_change,
    dao_get_contact_change_by_token_hash,
    dao_get_contact_changes_of_person,
)
from portal.dao.people import dao_get_person, dao_reach_facts
from portal.extensions import db
from portal.mail import Message, send_message
from portal.models import ContactChange, Person
from portal.trust.constants import (
    CONTACT_EMAIL_REQUESTED,
    CONTACT_UPDATED,
    EMAIL_CONFIRM_HOURS,
    ContactKind,
)
from portal.updates.mail import in_language_of

ADDRESS_PARTS = ("line1", "line2", "city", "postal_code")
MAIL_CONFIRM = "contact_email_confirm"
MAIL_TOLD_OLD = "contact_email_changing"


def _aad(change_uid: str) -> str:
    return f"contact-change:{change_uid}"


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def current_address(person: Person) -> dict[str, str]:
    try:
        parts = json.loads(person.decrypt_field("address") or "{}")
    except ValueError:
        parts = {}
    return parts if isinstance(parts, dict) else {}


def _record(person: Person, kind: str, value: str, status: str, token_hash: str | None = None) -> ContactChange:
    change = ContactChange(uid=uuid.uuid4().hex, person_id=person.id, kind=kind, status=status, token_hash=token_hash)
    change.new_value_enc = crypto().cipher.encrypt(value, _aad(change.uid))
    if status == ContactChangeStatus.APPLIED:
        change.applied_at = utcnow()
    dao_add_contact_change(change)
    return change


def update_phone_and_address(person: Person, phone: str, address: dict[str, str]) -> list[str]:
    """Apply what changed, with its history rows and one audit row, in one transaction."""
    changed = []
    if (person.decrypt_field("phone") or "") != phone:
        person.encrypt_field("phone", phone)
        _record(person, ContactKind.PHONE, phone, ContactChangeStatus.APPLIED)
        changed.append(ContactKind.PHONE.value)
    old = current_address(person)
    new = {**old, **{part: address.get(part, "") for part in ADDRESS_PARTS}}
    if any((old.get(part) or "") != new[part] for part in ADDRESS_PARTS):
        text = json.dumps(new, sort_keys=True)
        person.encrypt_field("address", text)
        _record(person, ContactKind.ADDRESS, text, ContactChangeStatus.APPLIED)
        changed.append(ContactKind.ADDRESS.value)
    if changed:
        record_audit(CONTACT_UPDATED, f"person:{person.uid}", {"changed": changed}, actor=f"contractor:{person.uid}")
    db.session.commit()
    return changed


def request_email_change(person: Person, new_email: str) -> None:
    """Mail a confirmation link to the new address, and tell the old one."""
    token = secrets.token_urlsafe(32)
    _record(person, ContactKind.EMAIL, normalize_email(new_email), ContactChangeStatus.PENDING, _token_hash(token))
    record_audit(CONTACT_EMAIL_REQUESTED, f"person:{person.uid}", actor=f"contractor:{person.uid}")
    db.session.commit()
    base = current_app.config["PUBLIC_URL"].rstrip("/")
    context = {"person": person, "link": f"{base}/contact/confirm/{token}", "hours": EMAIL_CONFIRM_HOURS}
    with in_language_of(person):
        messages = [
            Message(
                kind=MAIL_CONFIRM,
                to_address=new_email,
                subject=_("Confirm your new email address for the Exposure Portal"),
                body_text=render_template("trust/mail_confirm_email.txt", **context),
            )
        ]
        if person.email:
            messages.append(
                Message(
                    kind=MAIL_TOLD_OLD,
                    to_address=person.email,
                    subject=_("Your email address for the Exposure Portal is being changed"),
                    body_text=render_template("trust/mail_email_changing.txt", **context),
                )
            )
    for message in messages:
        send_message(message)
    db.session.commit()  # the outbox backend keeps its copies in the session


def pending_change(token: str) -> ContactChange | None:
    change = dao_get_contact_change_by_token_hash(_token_hash(token))
    if change is None or change.status != ContactChangeStatus.PENDING or _expired(change):
        return None
    return change


def _expired(change: ContactChange) -> bool:
    return utcnow() - change.created_at > timedelta(hours=EMAIL_CONFIRM_HOURS)


def confirm_email_change(token: str) -> bool:
    """Apply a pending email change once: a conditional UPDATE, so a double click applies it once."""
    change = pending_change(token)
    if change is None:
        return False
    if not dao_apply_contact_change(change.id, utcnow()):
        db.session.rollback()
        return False
    person = dao_get_person(change.person_id)
    email = crypto().cipher.decrypt(change.new_value_enc, _aad(change.uid))
    person.email = email
    person.email_bidx = crypto().email_index(email)
    record_audit(CONTACT_UPDATED, f"person:{person.uid}", {"changed": ["email"]}, actor=f"contractor:{person.uid}")
    db.session.commit()
    return True


def contact_history(person_id: int) -> list[tuple[ContactChange, str]]:
    """Every change of this person's contact details, newest first, with the value (for staff)."""
    changes = dao_get_contact_changes_of_person(person_id)
    return [(change, crypto().cipher.decrypt(change.new_value_enc, _aad(change.uid))) for change in changes]


# An email notice that ended so: the address on file is not reaching the person.
UNREACHED = (NotificationStatus.BOUNCED, NotificationStatus.DROPPED)


def contact_to_check(person: Person) -> tuple[str, ...]:
    """Which of the person's details our mail did not reach them at, since they last changed them:
    ``email`` when our latest email bounced or was dropped, ``address`` when a letter came back
    (from the vendor's returned-letters file) and the postal address has not changed since that day."""
    kinds = []
    facts = dao_reach_facts(person.id, ContactKind.ADDRESS)
    unreached = facts.notification_status in UNREACHED
    if unreached and (facts.changed_at is None or facts.changed_at < facts.notification_at):
        kinds.append(ContactKind.EMAIL.value)
    if facts.returned_on is not None:
        moved_at = facts.address_changed_at
        if moved_at is None or moved_at.date() < facts.returned_on:
            kinds.append(ContactKind.ADDRESS.value)
    return tuple(kinds)

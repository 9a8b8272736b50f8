"""Staff accounts: creation, the two sign-in factors, and what staff may look up about a person.

Passwords are argon2id (argon2-cffi's ``PasswordHasher`` defaults, RFC 9106). TOTP secrets are
AES-GCM ciphertexts like a person's fields, with associated data ``staff:<email>:totp``
(:func:`totp_secret_aad`), so a secret copied onto another account's row does not decrypt.
"""

import contextlib
import hmac
import json
import time
from dataclasses import dataclass
from datetime import date
from functools import cache

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.exc import IntegrityError

from portal.audit.chain import record_audit
from portal.constants import STAFF_ROLES, AuditAction, SignInStep
from portal.core.taxonomy import load_taxonomy
from portal.core.time import utcnow
from portal.crypto import DecryptionError, crypto, normalize_email
from portal.dao.notice_codes import dao_get_notice_codes_with_incidents
from portal.dao.people import (
    dao_find_people_by_contractor_id,
    dao_find_people_by_email_index,
    dao_get_exposures_with_incidents,
    dao_get_person_by_uid,
)
from portal.dao.staff import (
    dao_add_staff_user,
    dao_claim_totp_step,
    dao_get_staff_user_by_email,
    dao_get_staff_user_by_id,
    dao_set_staff_active,
    dao_set_staff_last_sign_in,
    dao_set_staff_totp,
)
from portal.extensions import db
from portal.models import Exposure, Incident, NoticeCode, Person, StaffUser
from portal.staff.person_history import PersonHistory, person_history
from portal.staff.revocation import end_every_session_of

MIN_PASSWORD_LENGTH = 12
TOTP_ISSUER = "Exposure Portal"
# One step either side of now, as pyotp's valid_window=1: phones' clocks drift.
TOTP_VALID_WINDOW = 1

_hasher = PasswordHasher()


class StaffAccountError(ValueError):
    """A staff account could not be created; the message is fit to show the operator."""


def totp_secret_aad(email: str) -> str:
    return f"staff:{normalize_email(email)}:totp"


def check_password_policy(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise StaffAccountError(f"The password must be at least {MIN_PASSWORD_LENGTH} characters long.")


def create_staff_user(email: str, role: str, password: str) -> tuple[StaffUser, str]:
    """Create an account; returns it and the plain TOTP secret (shown once, to set up the authenticator)."""
    email = normalize_email(email)
    if "@" not in email or len(email) > 254:
        raise StaffAccountError(f"{email!r} is not an email address.")
    if role not in STAFF_ROLES:
        raise StaffAccountError(f"The role must be one of {', '.join(STAFF_ROLES)}, not {role!r}.")
    role = str(role)
    check_password_policy(password)
    if dao_get_staff_user_by_email(email) is not None:
        raise StaffAccountError(f"A staff account for {email} already exists.")
    secret = pyotp.random_base32()
    user = StaffUser(
        email=email,
        role=role,
        password_hash=_hasher.hash(password),
        totp_secret_enc=crypto().cipher.encrypt(secret, totp_secret_aad(email)),
        last_totp_step=0,
        active=True,
    )
    try:
        dao_add_staff_user(user)
        record_audit(AuditAction.STAFF_CREATED, f"staff:{user.id}", {"role": role})
        db.session.commit()
    except IntegrityError as exc:  # created by someone else between our check and insert
        db.session.rollback()
        raise StaffAccountError(f"A staff account for {email} already exists.") from exc
    return user, secret


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def totp_provisioning_uri(email: str, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=TOTP_ISSUER)


@cache
def _dummy_hash() -> str:
    """A hash with the current parameters, verified when the email is unknown so both paths cost the same."""
    return _hasher.hash("no account has this password; it only spends the same time")


def authenticate_password(email: str, password: str) -> StaffUser | None:
    """The active account with this email and password, or None (unknown email costs the same work)."""
    user = dao_get_staff_user_by_email(normalize_email(email))
    if user is None or not user.active:
        with contextlib.suppress(VerificationError):
            _hasher.verify(_dummy_hash(), password)
        return None
    try:
        _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
        db.session.commit()
    return user


def matching_totp_step(totp: pyotp.TOTP, code: str, now: float) -> int | None:
    current = int(now) // totp.interval
    for step in range(current - TOTP_VALID_WINDOW, current + TOTP_VALID_WINDOW + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def verify_totp_once(user: StaffUser, code: str) -> bool:
    """True if ``code`` is the user's current TOTP and its time-step has not been accepted before."""
    code = "".join(code.split())
    if len(code) != 6 or not code.isdigit():
        return False
    try:
        secret = crypto().cipher.decrypt(user.totp_secret_enc, totp_secret_aad(user.email))
    except DecryptionError:
        return False
    step = matching_totp_step(pyotp.TOTP(secret), code, time.time())
    if step is None:
        return False
    claimed = dao_claim_totp_step(user.id, step)
    db.session.commit()
    return claimed


def get_pending_staff_user(user_id: int) -> StaffUser | None:
    user = dao_get_staff_user_by_id(user_id)
    return user if user is not None and user.active else None


def record_sign_in_failure(step: SignInStep, email: str = "", user: StaffUser | None = None) -> None:
    """Audit a failed attempt: which step, and which account if the email named one; never what was typed."""
    if user is None and email:
        user = dao_get_staff_user_by_email(normalize_email(email))
    target = f"staff:{user.id}" if user is not None else ""
    record_audit(AuditAction.STAFF_SIGN_IN_FAILED, target, {"step": str(step)}, actor="anonymous")
    db.session.commit()


def check_password_step(email: str, password: str) -> StaffUser | None:
    """Step one of signing in. A failure is audited; the caller shows one neutral message."""
    user = authenticate_password(email, password)
    if user is None:
        record_sign_in_failure(SignInStep.PASSWORD, email=email)
    return user


def check_code_step(user: StaffUser, code: str) -> bool:
    """Step two: the TOTP code. Success records the sign-in; failure is audited."""
    if not verify_totp_once(user, code):
        record_sign_in_failure(SignInStep.CODE, user=user)
        return False
    dao_set_staff_last_sign_in(user, utcnow())
    record_audit(AuditAction.STAFF_SIGNED_IN, f"staff:{user.id}", actor=f"staff:{user.id}")
    db.session.commit()
    return True


def record_sign_out(user: StaffUser) -> None:
    """Signing out ends every session of this person, on every device, not only this browser's."""
    end_every_session_of(user.id)
    record_audit(AuditAction.STAFF_SIGNED_OUT, f"staff:{user.id}", actor=f"staff:{user.id}")
    db.session.commit()


def deactivate_staff(user: StaffUser, actor: str | None = None) -> None:
    """The account can no longer sign in, and every session it holds ends now."""
    dao_set_staff_active(user, False)
    end_every_session_of(user.id)
    record_audit(AuditAction.STAFF_DEACTIVATED, f"staff:{user.id}", actor=actor)
    db.session.commit()


def reset_staff_totp(user: StaffUser, actor: str | None = None) -> str:
    """A new TOTP secret (returned, to show once); the old authenticator and every session stop working."""
    secret = pyotp.random_base32()
    dao_set_staff_totp(user, crypto().cipher.encrypt(secret, totp_secret_aad(user.email)))
    end_every_session_of(user.id)
    record_audit(AuditAction.STAFF_TOTP_RESET, f"staff:{user.id}", actor=actor)
    db.session.commit()
    return secret


def search_people(term: str) -> list[Person]:
    """People whose email (through its blind index) or contractor id is ``term``. Audited without the term."""
    term = term.strip()
    if "@" in term:
        people, by = dao_find_people_by_email_index(crypto().email_index(term)), "email"
    else:
        people, by = dao_find_people_by_contractor_id(term), "contractor_id"
    record_audit(AuditAction.PEOPLE_SEARCHED, "", {"by": by, "results": len(people)})
    db.session.commit()
    return people


@dataclass(frozen=True)
class ExposureLine:
    category_title: str
    severity: str
    exposure: Exposure


@dataclass(frozen=True)
class PersonRecord:
    """What staff see about one person: the decrypted fields, exposures by incident, code history."""

    person: Person
    date_of_birth: str | None
    national_id_last4: str | None
    phone: str | None
    address_lines: list[str]
    undecryptable: list[str]
    exposures: list[tuple[Incident, list[ExposureLine]]]
    notice_codes: list[tuple[NoticeCode, Incident | None]]
    history: "PersonHistory"


def _address_lines(text: str | None) -> list[str]:
    if not text:
        return []
    try:
        parts = json.loads(text)
    except ValueError:
        return [text]
    if not isinstance(parts, dict):
        return [str(parts)]
    keys = ("line1", "line2", "city", "region", "postal_code")
    return [str(parts[key]) for key in keys if parts.get(key)]


def _decrypted_fields(person: Person) -> tuple[dict[str, str | None], list[str]]:
    values, failed = {}, []
    for field in ("date_of_birth", "national_id_last4", "phone", "address"):
        try:
            values[field] = person.decrypt_field(field)
        except DecryptionError:
            values[field] = None
            failed.append(field)
    return values, failed


def _exposures_by_incident(person: Person) -> list[tuple[Incident, list[ExposureLine]]]:
    taxonomy = load_taxonomy()
    grouped: dict[int, tuple[Incident, list[ExposureLine]]] = {}
    for exposure, incident in dao_get_exposures_with_incidents(person.id):
        category = taxonomy.get(exposure.category)
        line = ExposureLine(
            category.title if category else exposure.category, str(category.severity) if category else "", exposure
        )
        grouped.setdefault(incident.id, (incident, []))[1].append(line)
    return list(grouped.values())


MASKED_DATE = "••••-••-••"


def view_person(uid: str, show_birth_date: bool = True) -> PersonRecord | None:
    """Decrypt one person's record for a staff member, and audit that they saw it. Without
    ``show_birth_date`` (support), the date of birth is masked: ``check_birth_date`` confirms one."""
    person = dao_get_person_by_uid(uid)
    if person is None:
        return None
    # Committed before anything is decrypted: no view of the fields without its audit row.
    record_audit(AuditAction.PERSON_VIEWED, f"person:{person.uid}")
    db.session.commit()
    values, failed = _decrypted_fields(person)
    exposures = _exposures_by_incident(person)
    return PersonRecord(
        person=person,
        date_of_birth=values["date_of_birth"] if show_birth_date or not values["date_of_birth"] else MASKED_DATE,
        national_id_last4=values["national_id_last4"],
        phone=values["phone"],
        address_lines=_address_lines(values["address"]),
        undecryptable=failed,
        exposures=exposures,
        notice_codes=dao_get_notice_codes_with_incidents(person.id),
        history=person_history(person, exposures),
    )


def check_birth_date(uid: str, answer: date) -> bool | None:
    """Whether ``answer`` is the person's date of birth (None: no such person, or it cannot be read).
    Audited with the outcome, never the date, so repeated guessing shows in the log."""
    person = dao_get_person_by_uid(uid)
    if person is None:
        return None
    try:
        stored = person.decrypt_field("date_of_birth")
    except DecryptionError:
        return None
    match = bool(stored) and hmac.compare_digest(stored, answer.isoformat())
    record_audit(AuditAction.PERSON_BIRTH_DATE_CHECKED, f"person:{person.uid}", {"match": match})
    db.session.commit()
    return match

"""The staff accounts screen: invite, enrol, change role, deactivate, reset an authenticator.

Every change is audited in the transaction that makes it and ends every session of the account
(revocation.py), so someone whose access changed signs in again under the new rules, or cannot.
Changes that alter who is an admin lock the set of active admins first (PostgreSQL row locks,
taken in id order), so two admins acting on each other at once cannot both win and leave nobody
able to administer the portal.
"""

import hashlib
import secrets
import time
from dataclasses import dataclass
from datetime import timedelta

import pyotp
from flask import current_app
from flask_babel import lazy_gettext as _l

from portal.audit.chain import record_audit
from portal.constants import STAFF_ROLES, AuditAction, Role
from portal.core.time import utcnow
from portal.crypto import crypto, normalize_email
from portal.dao.staff import (
    dao_add_staff_invite,
    dao_add_staff_user,
    dao_claim_staff_invite,
    dao_get_staff_invite,
    dao_get_staff_invite_by_token_hash,
    dao_get_staff_user_by_email,
    dao_list_open_invites,
    dao_list_staff_users,
    dao_lock_active_admin_ids,
    dao_lock_staff_rows,
    dao_revoke_open_invites,
    dao_set_staff_active,
    dao_set_staff_role,
    dao_set_staff_totp,
)
from portal.extensions import db
from portal.models import StaffInvite, StaffUser
from portal.staff.revocation import end_every_session_of
from portal.staff.service import check_password_policy, hash_password, matching_totp_step, totp_secret_aad


class AccountChangeRefused(ValueError):
    """The change was not made; the message says why, fit to show the admin."""


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class AccountsOverview:
    accounts: list[StaffUser]
    invites: list[StaffInvite]


def accounts_overview() -> AccountsOverview:
    return AccountsOverview(dao_list_staff_users(), dao_list_open_invites(utcnow()))


def _new_invite(admin: StaffUser, email: str, role: str, account: StaffUser | None) -> str:
    token = secrets.token_urlsafe(32)
    now = utcnow()
    dao_revoke_open_invites(email, now)
    invite = dao_add_staff_invite(
        StaffInvite(
            token_hash=token_hash(token),
            email=email,
            role=role,
            staff_user_id=account.id if account else None,
            created_by=admin.id,
            created_at=now,
            expires_at=now + timedelta(hours=current_app.config["STAFF_INVITE_HOURS"]),
        )
    )
    record_audit(
        AuditAction.STAFF_INVITED,
        f"staff_invite:{invite.id}",
        {"role": role, "expires_at": invite.expires_at, "account": f"staff:{account.id}" if account else ""},
    )
    return token


def invite_staff(admin: StaffUser, email: str, role: str) -> str:
    """A one-time enrolment link's token for a new account (the caller shows the link once)."""
    email = normalize_email(email)
    if "@" not in email or len(email) > 254:
        raise AccountChangeRefused(_l("Enter an email address."))
    if role not in STAFF_ROLES:
        raise AccountChangeRefused(_l("Choose a role."))
    if dao_get_staff_user_by_email(email) is not None:
        raise AccountChangeRefused(_l("A staff account with this email address exists already."))
    token = _new_invite(admin, email, role, None)
    db.session.commit()
    return token


def _lock(admin: StaffUser, target_id: int, touches_admins: bool) -> tuple[StaffUser, list[int]]:
    """Lock the admins (when the change can alter who is one) and the two accounts; refuse if the
    acting admin lost their access meanwhile (another admin's change committed first)."""
    admin_ids = dao_lock_active_admin_ids() if touches_admins else []
    rows = dao_lock_staff_rows([admin.id, target_id])
    actor = rows.get(admin.id)
    if actor is None or not actor.active or actor.role != Role.ADMIN:
        raise AccountChangeRefused(_l("Your own account was changed a moment ago; nothing was done."))
    target = rows.get(target_id)
    if target is None:
        raise AccountChangeRefused(_l("There is no such account."))
    return target, admin_ids


def _finish(target: StaffUser, action: AuditAction, details: dict | None = None) -> None:
    end_every_session_of(target.id)
    record_audit(action, f"staff:{target.id}", details or {})
    db.session.commit()


def change_role(admin: StaffUser, target_id: int, role: str) -> StaffUser:
    if role not in STAFF_ROLES:
        raise AccountChangeRefused(_l("Choose a role."))
    if target_id == admin.id:
        raise AccountChangeRefused(_l("You cannot change your own role. Ask another admin."))
    try:
        target, admins = _lock(admin, target_id, touches_admins=True)
        if target.role == role:
            raise AccountChangeRefused(_l("The account has that role already."))
        if target.id in admins and role != Role.ADMIN and len(admins) <= 1:
            raise AccountChangeRefused(_l("This is the last admin: make someone else an admin first."))
        previous = target.role
        dao_set_staff_role(target, str(role))
        _finish(target, AuditAction.STAFF_ROLE_CHANGED, {"from": previous, "to": str(role)})
    except AccountChangeRefused:
        db.session.rollback()
        raise
    return target


def deactivate_account(admin: StaffUser, target_id: int) -> StaffUser:
    if target_id == admin.id:
        raise AccountChangeRefused(_l("You cannot deactivate your own account. Ask another admin."))
    try:
        target, admins = _lock(admin, target_id, touches_admins=True)
        if not target.active:
            raise AccountChangeRefused(_l("The account is deactivated already."))
        if target.id in admins and len(admins) <= 1:
            raise AccountChangeRefused(_l("This is the last admin: make someone else an admin first."))
        dao_set_staff_active(target, False)
        dao_revoke_open_invites(target.email, utcnow())
        _finish(target, AuditAction.STAFF_DEACTIVATED)
    except AccountChangeRefused:
        db.session.rollback()
        raise
    return target


def reset_authenticator(admin: StaffUser, target_id: int) -> str:
    """The old authenticator stops working and every session ends now; the returned token's link
    lets the person set a new password and authenticator (nobody else ever sees the new secret)."""
    try:
        target, _ = _lock(admin, target_id, touches_admins=False)
        if not target.active:
            raise AccountChangeRefused(_l("The account is deactivated; reactivating is not offered."))
        # A secret nobody holds: until the link is used, no code can sign in as this account.
        dao_set_staff_totp(target, crypto().cipher.encrypt(pyotp.random_base32(), totp_secret_aad(target.email)))
        token = _new_invite(admin, target.email, target.role, target)
        _finish(target, AuditAction.STAFF_TOTP_RESET, {"by": "accounts screen"})
    except AccountChangeRefused:
        db.session.rollback()
        raise
    return token


def open_invite(token: str) -> StaffInvite | None:
    """The invite this link token names, if it can still be used."""
    invite = dao_get_staff_invite_by_token_hash(token_hash(token)) if token else None
    if invite is None or invite.used_at or invite.revoked_at or invite.expires_at <= utcnow():
        return None
    return invite


def usable_invite(invite_id: int | None) -> StaffInvite | None:
    invite = dao_get_staff_invite(invite_id) if invite_id else None
    if invite is None or invite.used_at or invite.revoked_at or invite.expires_at <= utcnow():
        return None
    return invite


def enrol(invite: StaffInvite, password: str, totp_secret: str, code: str) -> StaffUser:
    """Use the invite: set the password and the authenticator (proved by a current code), once."""
    check_password_policy(password)
    code = "".join(code.split())
    step = matching_totp_step(pyotp.TOTP(totp_secret), code, time.time()) if code.isdigit() else None
    if step is None:
        raise AccountChangeRefused(_l("That code does not match. Check the app shows this account and try again."))
    if not dao_claim_staff_invite(invite.id, utcnow()):
        db.session.rollback()
        raise AccountChangeRefused(_l("This link was used already or has expired. Ask an admin for a new one."))
    secret_enc = crypto().cipher.encrypt(totp_secret, totp_secret_aad(invite.email))
    if invite.staff_user_id is None:
        if dao_get_staff_user_by_email(invite.email) is not None:
            db.session.rollback()
            raise AccountChangeRefused(_l("A staff account with this email address exists already."))
        user = dao_add_staff_user(
            StaffUser(
                email=invite.email,
                role=invite.role,
                password_hash=hash_password(password),
                totp_secret_enc=secret_enc,
                last_totp_step=step,  # the code just typed cannot sign in as well
                active=True,
            )
        )
    else:
        user = dao_lock_staff_rows([invite.staff_user_id])[invite.staff_user_id]
        user.password_hash = hash_password(password)
        dao_set_staff_totp(user, secret_enc)
        user.last_totp_step = step
    end_every_session_of(user.id)
    record_audit(AuditAction.STAFF_ENROLLED, f"staff:{user.id}", {"invite": invite.id}, actor=f"staff:{user.id}")
    db.session.commit()
    return user

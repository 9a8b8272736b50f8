"""The staff accounts screen: invite and enrol, change role, deactivate, reset an authenticator."""

import hashlib
import re
from datetime import timedelta

import pyotp
from sqlalchemy import select

from portal.constants import AuditAction, Role
from portal.core.time import utcnow
from portal.extensions import db
from portal.models import AuditEvent, StaffInvite, StaffUser
from tests.factories import STAFF_PASSWORD, sign_in_staff

LINK = re.compile(r'id="enrol-link">(http[^<]+)<')
SECRET = re.compile(r'id="totp-secret">([A-Z2-7]+)<')


def _events(action) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def _enrol(app, link: str, password="a brand new password", code=None):
    """Open the link in a fresh browser and set up the account; returns (answer, secret)."""
    browser = app.test_client()
    path = link.split("://", 1)[1].split("/", 1)[1]
    opened = browser.get("/" + path)
    assert opened.status_code == 302 and opened.location.endswith("/staff/enrol")
    page = browser.get("/staff/enrol").get_data(as_text=True)
    secret = SECRET.search(page).group(1)
    answer = browser.post(
        "/staff/enrol",
        data={"password": password, "password_again": password, "code": code or pyotp.TOTP(secret).now()},
    )
    return answer, secret


def test_invite_then_enrol_creates_the_account_once(app_ctx, client, app):
    admin = sign_in_staff(client, Role.ADMIN)
    client.get("/staff/accounts")
    page = client.post("/staff/accounts/invite", data={"email": "New.Person@Staff.example.org", "role": "support"})
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    link = LINK.search(page.get_data(as_text=True)).group(1)
    token = link.rsplit("/", 1)[1]
    invite = db.session.scalar(select(StaffInvite))
    assert invite.token_hash == hashlib.sha256(token.encode()).hexdigest() and token not in invite.token_hash
    invited = _events(AuditAction.STAFF_INVITED)[0]
    assert token not in invited.details and invited.actor == f"staff:{admin.id}"

    answer, _secret = _enrol(app, link)
    assert answer.status_code == 302 and answer.location.endswith("/staff/sign-in")
    user = db.session.scalar(select(StaffUser).where(StaffUser.email == "new.person@staff.example.org"))
    assert user.role == "support" and user.active
    assert _events(AuditAction.STAFF_ENROLLED)[0].target == f"staff:{user.id}"
    # The link is spent: opening it again shows the dead-link page.
    again = app.test_client().get("/" + link.split("://", 1)[1].split("/", 1)[1])
    assert again.status_code == 404


def test_an_expired_link_and_a_wrong_code_do_not_enrol(app_ctx, client, app):
    sign_in_staff(client, Role.ADMIN)
    client.get("/staff/accounts")
    page = client.post("/staff/accounts/invite", data={"email": "late@staff.example.org", "role": "legal"})
    link = LINK.search(page.get_data(as_text=True)).group(1)
    answer, _ = _enrol(app, link, code="000000")
    assert answer.status_code == 400 and "does not match" in answer.get_data(as_text=True)
    invite = db.session.scalar(select(StaffInvite))
    invite.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert app.test_client().get("/" + link.split("://", 1)[1].split("/", 1)[1]).status_code == 404
    assert db.session.scalar(select(StaffUser).where(StaffUser.email == "late@staff.example.org")) is None


def test_role_change_and_deactivation_end_sessions_and_are_audited(app_ctx, app):
    admin_client, other_client = app.test_client(), app.test_client()
    sign_in_staff(admin_client, Role.ADMIN)
    legal = sign_in_staff(other_client, Role.LEGAL)
    assert other_client.get("/staff/").status_code == 200
    admin_client.get("/staff/accounts")
    answer = admin_client.post(f"/staff/accounts/{legal.id}/role", data={"role": "auditor"})
    assert answer.status_code == 302
    db.session.expire_all()
    assert db.session.get(StaffUser, legal.id).role == "auditor"
    changed = _events(AuditAction.STAFF_ROLE_CHANGED)[0]
    assert changed.target == f"staff:{legal.id}" and '"from": "legal"' in changed.details
    assert other_client.get("/staff/").status_code == 302  # signed out everywhere

    admin_client.get("/staff/accounts")
    assert admin_client.post(f"/staff/accounts/{legal.id}/deactivate").status_code == 302
    db.session.expire_all()
    assert not db.session.get(StaffUser, legal.id).active
    assert _events(AuditAction.STAFF_DEACTIVATED)[0].target == f"staff:{legal.id}"


def test_an_admin_cannot_change_their_own_role_or_deactivate_themselves(app_ctx, client):
    admin = sign_in_staff(client, Role.ADMIN)
    client.get("/staff/accounts")
    page = client.post(f"/staff/accounts/{admin.id}/role", data={"role": "support"}, follow_redirects=True)
    assert "cannot change your own role" in page.get_data(as_text=True)
    client.get("/staff/accounts")
    page = client.post(f"/staff/accounts/{admin.id}/deactivate", follow_redirects=True)
    assert "cannot deactivate your own account" in page.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(StaffUser, admin.id).role == "admin" and db.session.get(StaffUser, admin.id).active


def test_reset_authenticator_kills_the_old_one_and_re_enrols_through_a_link(app_ctx, app):
    admin_client, support_client = app.test_client(), app.test_client()
    sign_in_staff(admin_client, Role.ADMIN)
    support = sign_in_staff(support_client, Role.SUPPORT)
    admin_client.get("/staff/accounts")
    page = admin_client.post(f"/staff/accounts/{support.id}/reset-authenticator")
    assert page.status_code == 200
    assert support_client.get("/staff/").status_code == 302
    assert _events(AuditAction.STAFF_TOTP_RESET)[0].target == f"staff:{support.id}"
    link = LINK.search(page.get_data(as_text=True)).group(1)
    answer, secret = _enrol(app, link, password=STAFF_PASSWORD)
    assert answer.status_code == 302
    fresh = app.test_client()
    fresh.post("/staff/sign-in", data={"email": support.email, "password": STAFF_PASSWORD})
    step = int(utcnow().timestamp()) // 30 + 1  # a code after the one used to enrol
    signed = fresh.post("/staff/sign-in/code", data={"code": pyotp.TOTP(secret).at(step * 30)})
    assert signed.status_code == 302 and "/sign-in" not in signed.location


def test_support_cannot_open_the_accounts_screen(app_ctx, client):
    sign_in_staff(client, Role.SUPPORT)
    assert client.get("/staff/accounts").status_code == 403

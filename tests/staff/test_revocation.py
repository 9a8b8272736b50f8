"""The one revocation call, and the account changes that use it (the staff-accounts screens will too)."""

import time

import pyotp
import pytest
from sqlalchemy import select

from portal.constants import AuditAction, Role
from portal.extensions import db
from portal.models import AuditEvent, StaffUser
from portal.staff.revocation import end_every_session_of
from portal.staff.service import create_staff_user, deactivate_staff, reset_staff_totp
from tests.factories import STAFF_PASSWORD
from tests.staff.test_sessions import sign_in_again, signed_out_of


@pytest.fixture
def admin(app_ctx):
    return create_staff_user("admin@example.org", Role.ADMIN, STAFF_PASSWORD)


def test_deactivate_staff_ends_every_session_and_is_audited(app, admin):
    user, secret = admin
    browser = app.test_client()
    sign_in_again(browser, user.email, secret, step=0)
    deactivate_staff(user)
    assert signed_out_of(browser)
    db.session.refresh(user)
    assert not user.active
    [event] = db.session.scalars(select(AuditEvent).where(AuditEvent.action == AuditAction.STAFF_DEACTIVATED))
    assert event.target == f"staff:{user.id}"


def test_a_totp_reset_ends_every_session_and_the_old_codes(app, admin):
    user, secret = admin
    browser = app.test_client()
    sign_in_again(browser, user.email, secret, step=0)
    new_secret = reset_staff_totp(user)
    assert signed_out_of(browser)
    browser.post("/staff/sign-in", data={"email": user.email, "password": STAFF_PASSWORD})
    old_code = pyotp.TOTP(secret).at(time.time() + 30)
    assert browser.post("/staff/sign-in/code", data={"code": old_code}).status_code == 400
    assert browser.post("/staff/sign-in/code", data={"code": pyotp.TOTP(new_secret).now()}).status_code == 302
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == AuditAction.STAFF_TOTP_RESET))
    assert new_secret not in "".join(e.details for e in db.session.scalars(select(AuditEvent)))


def test_end_every_session_of_is_part_of_the_callers_transaction(app, admin):
    user, secret = admin
    browser = app.test_client()
    sign_in_again(browser, user.email, secret, step=0)
    end_every_session_of(user.id)
    db.session.rollback()  # the caller's change failed: the sessions must not have ended either
    assert browser.get("/staff/").status_code == 200
    end_every_session_of(user.id)
    db.session.commit()
    assert signed_out_of(browser)
    assert db.session.get(StaffUser, user.id).session_epoch == 1

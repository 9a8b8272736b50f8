"""Staff sessions end: at sign-out (everywhere), on deactivation, on a TOTP reset, and after a working day."""

import time
from types import SimpleNamespace

import pyotp
import pytest

from portal.constants import Role
from portal.extensions import db
from portal.staff import auth
from portal.staff.service import create_staff_user
from tests.factories import STAFF_PASSWORD, sign_in_staff


def session_cookie(client) -> str:
    return client.get_cookie("session").value


def with_cookie(app, value: str):
    """Another browser, holding a copy of a session cookie."""
    thief = app.test_client()
    thief.set_cookie("session", value)
    return thief


def signed_out_of(client, path="/staff/") -> bool:
    response = client.get(path)
    return response.status_code == 302 and "/staff/sign-in" in response.location


def sign_in_again(client, email: str, secret: str, step: int) -> None:
    """The same account in another browser: a later time-step's code, since each code is good once."""
    totp = pyotp.TOTP(secret)
    client.post("/staff/sign-in", data={"email": email, "password": STAFF_PASSWORD})
    response = client.post("/staff/sign-in/code", data={"code": totp.at(time.time() + 30 * step)})
    assert response.status_code == 302 and "/sign-in" not in response.location
    client.get(response.location)


@pytest.fixture
def admin(app_ctx):
    return create_staff_user("admin@example.org", Role.ADMIN, STAFF_PASSWORD)


def test_a_cookie_copied_before_sign_out_opens_nothing_after(app, client, app_ctx):
    sign_in_staff(client, Role.AUDITOR)
    copied = session_cookie(client)
    assert with_cookie(app, copied).get("/staff/audit").status_code == 200  # a stolen session works...
    client.post("/staff/sign-out")
    assert signed_out_of(with_cookie(app, copied), "/staff/audit")  # ...until its owner signs out


def test_signing_out_ends_every_session_of_that_person(app, admin):
    user, secret = admin
    office, laptop = app.test_client(), app.test_client()
    sign_in_again(office, user.email, secret, step=-1)
    sign_in_again(laptop, user.email, secret, step=0)
    office.post("/staff/sign-out")
    assert signed_out_of(office) and signed_out_of(laptop)
    sign_in_again(laptop, user.email, secret, step=1)  # signing in again starts a fresh one
    assert laptop.get("/staff/").status_code == 200


def test_an_account_deactivated_as_today_loses_its_open_session_at_once(client, admin):
    user, secret = admin
    sign_in_again(client, user.email, secret, step=0)
    user.active = False  # how an account is deactivated today: the flag, straight in the database
    db.session.commit()
    assert signed_out_of(client)


def test_a_staff_session_ends_after_its_absolute_lifetime_however_active(client, app_ctx, monkeypatch):
    sign_in_staff(client, Role.ADMIN)
    signed_in = time.time()
    clock = SimpleNamespace(time=lambda: signed_in)
    monkeypatch.setattr(auth, "time", clock)
    for minutes in range(20, 8 * 60, 20):  # a request every 20 minutes all day: never idle
        clock.time = lambda minutes=minutes: signed_in + minutes * 60
        assert client.get("/staff/").status_code == 200, f"signed out after {minutes} minutes"
    clock.time = lambda: signed_in + 8 * 3600 + 60
    assert signed_out_of(client)


def test_sign_out_and_sign_in_give_the_session_a_new_id(client, admin):
    user, secret = admin
    client.get("/staff/sign-in")
    before = session_cookie(client)
    sign_in_again(client, user.email, secret, step=0)
    signed_in = session_cookie(client)
    assert signed_in != before  # an id planted before signing in is not the signed-in one
    client.post("/staff/sign-out")
    assert client.get_cookie("session") is None or session_cookie(client) != signed_in

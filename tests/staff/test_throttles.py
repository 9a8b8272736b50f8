"""Staff sign-in is throttled per account as well as per address (bursts: tests/production/test_throttles.py)."""

import pyotp
import pytest

from portal.constants import Role
from portal.staff.service import create_staff_user
from tests.factories import STAFF_PASSWORD


def _from(address: str) -> dict:
    return {"environ_base": {"REMOTE_ADDR": address}}


def _password_step(client, email, password, address):
    return client.post("/staff/sign-in", data={"email": email, "password": password}, **_from(address))


@pytest.fixture
def staff(app_ctx):
    return create_staff_user("admin@example.org", Role.ADMIN, STAFF_PASSWORD)


def test_wrong_passwords_for_one_account_are_throttled_whatever_the_address(app, client, staff, monkeypatch):
    monkeypatch.setitem(app.config, "STAFF_LOGIN_LIMIT_PER_ACCOUNT", "3 per 15 minutes")
    for n, email in enumerate(("admin@example.org", "Admin@Example.org", " admin@example.org")):
        assert _password_step(client, email, "wrong password entirely", f"198.51.100.{n}").status_code == 400
    # A fourth address, even with the right password: that account's guesses are used up for now.
    assert _password_step(client, "admin@example.org", STAFF_PASSWORD, "198.51.100.9").status_code == 429


def test_the_account_limit_is_one_account_s_and_right_passwords_do_not_use_it(app, client, staff, monkeypatch):
    monkeypatch.setitem(app.config, "STAFF_LOGIN_LIMIT_PER_ACCOUNT", "2 per 15 minutes")
    create_staff_user("legal@example.org", Role.LEGAL, STAFF_PASSWORD)
    for n in range(2):
        assert (
            _password_step(client, "legal@example.org", "wrong password entirely", f"203.0.113.{n}").status_code == 400
        )
    for n in range(3):  # more than the limit, all right: none counts
        other = app.test_client()
        assert _password_step(other, "admin@example.org", STAFF_PASSWORD, f"192.0.2.{n}").status_code == 302


def test_wrong_codes_for_one_account_are_throttled_whatever_the_address(app, staff, monkeypatch):
    monkeypatch.setitem(app.config, "STAFF_LOGIN_LIMIT_PER_ACCOUNT", "2 per 15 minutes")
    _user, secret = staff
    wrong = f"{(int(pyotp.TOTP(secret).now()) + 500_000) % 1_000_000:06d}"
    statuses = []
    for n in range(3):  # three people holding the password, each from their own address
        client = app.test_client()
        assert _password_step(client, "admin@example.org", STAFF_PASSWORD, f"198.51.100.{n}").status_code == 302
        statuses.append(
            client.post("/staff/sign-in/code", data={"code": wrong}, **_from(f"198.51.100.{n}")).status_code
        )
    assert statuses == [400, 400, 429]

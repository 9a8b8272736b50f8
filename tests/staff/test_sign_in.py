import html
import re
import time
from pathlib import Path

import pyotp
import pytest
from sqlalchemy import select

from portal.constants import AuditAction, Role, SignInStep
from portal.extensions import db
from portal.models import AuditEvent, StaffUser
from portal.staff import service
from portal.staff.auth import SEEN_KEY
from portal.staff.service import StaffAccountError, authenticate_password, create_staff_user, verify_totp_once
from portal.staff.session import PENDING_SINCE_KEY, safe_next_path
from tests.factories import STAFF_PASSWORD, sign_in_staff

NEUTRAL = b"We could not sign you in"


def _events(action) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == str(action))))


def without_csrf_token(page: bytes) -> bytes:
    """A page with its CSRF token blanked: the token is signed with the time, so two renders can differ."""
    return re.sub(rb'(name="csrf_token"[^>]*value=")[^"]*', rb"\1", page)


def _password_step(client, email, password=STAFF_PASSWORD, **kwargs):
    return client.post("/staff/sign-in", data={"email": email, "password": password}, **kwargs)


@pytest.fixture
def staff(app_ctx):
    return create_staff_user("Admin@Example.org", Role.ADMIN, STAFF_PASSWORD)


def test_create_staff_user_stores_argon2id_and_an_encrypted_secret(staff):
    user, secret = staff
    assert user.email == "admin@example.org"
    assert user.password_hash.startswith("$argon2id$")
    assert secret not in user.totp_secret_enc
    assert len(_events(AuditAction.STAFF_CREATED)) == 1


@pytest.mark.parametrize(
    ("email", "role", "password", "message"),
    [
        ("a@example.org", "superuser", STAFF_PASSWORD, "role must be one of"),
        ("a@example.org", "admin", "short pass", "at least 12 characters"),
        ("not-an-email", "admin", STAFF_PASSWORD, "not an email address"),
    ],
)
def test_create_staff_user_refuses_bad_input(app_ctx, email, role, password, message):
    with pytest.raises(StaffAccountError, match=message):
        create_staff_user(email, role, password)


def test_create_staff_user_refuses_a_duplicate_email(staff):
    with pytest.raises(StaffAccountError, match="already exists"):
        create_staff_user("admin@example.org", "legal", STAFF_PASSWORD)


def test_full_sign_in_reaches_the_dashboard_and_is_audited(client, staff):
    user, secret = staff
    response = _password_step(client, "admin@example.org")
    assert response.status_code == 302 and response.location.endswith("/staff/sign-in/code")
    assert client.get("/staff/").status_code == 302  # the password alone signs nobody in
    response = client.post("/staff/sign-in/code", data={"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 302 and response.location.endswith("/staff/")
    assert client.get("/staff/").status_code == 200
    db.session.refresh(user)
    assert user.last_sign_in_at is not None
    [event] = _events(AuditAction.STAFF_SIGNED_IN)
    assert event.actor == f"staff:{user.id}"


def test_wrong_password_gets_the_neutral_message_and_is_audited_without_the_password(client, staff):
    user, _ = staff
    response = _password_step(client, "admin@example.org", "wrong password entirely")
    assert response.status_code == 400
    assert NEUTRAL in response.data
    [event] = _events(AuditAction.STAFF_SIGN_IN_FAILED)
    assert event.target == f"staff:{user.id}"
    assert SignInStep.PASSWORD in event.details
    assert "wrong password" not in event.details


def test_unknown_email_takes_the_same_neutral_path_and_the_same_work(client, staff, monkeypatch):
    verified = []
    real = service._hasher

    class CountingHasher:
        def verify(self, hash_, password):
            verified.append(hash_)
            return real.verify(hash_, password)

        def __getattr__(self, name):
            return getattr(real, name)

    monkeypatch.setattr(service, "_hasher", CountingHasher())
    known = _password_step(client, "admin@example.org", "wrong password entirely")
    unknown = _password_step(client, "nobody@example.org", "wrong password entirely")
    assert unknown.status_code == known.status_code
    assert without_csrf_token(unknown.data.replace(b"nobody@", b"admin@")) == without_csrf_token(known.data)
    assert len(verified) == 2  # a dummy hash is verified when the email is unknown
    assert [e.target for e in _events(AuditAction.STAFF_SIGN_IN_FAILED)] == [f"staff:{staff[0].id}", ""]


def test_inactive_account_cannot_sign_in(staff):
    user, _ = staff
    user.active = False
    db.session.commit()
    assert authenticate_password("admin@example.org", STAFF_PASSWORD) is None


def test_wrong_code_gets_the_neutral_message(client, staff):
    _user, secret = staff
    _password_step(client, "admin@example.org")
    wrong = f"{(int(pyotp.TOTP(secret).now()) + 1) % 1_000_000:06d}"
    response = client.post("/staff/sign-in/code", data={"code": wrong})
    assert response.status_code == 400
    assert NEUTRAL in response.data
    assert client.get("/staff/").status_code == 302
    [event] = _events(AuditAction.STAFF_SIGN_IN_FAILED)
    assert SignInStep.CODE in event.details and wrong not in event.details


def test_a_code_is_accepted_once_only(app, staff):
    _user, secret = staff
    code = pyotp.TOTP(secret).now()
    first, second = app.test_client(), app.test_client()
    for client in (first, second):
        _password_step(client, "admin@example.org")
    assert first.post("/staff/sign-in/code", data={"code": code}).status_code == 302
    response = second.post("/staff/sign-in/code", data={"code": code})
    assert response.status_code == 400 and NEUTRAL in response.data
    assert second.get("/staff/").status_code == 302


def test_verify_totp_once_refuses_an_earlier_step_after_a_later_one(staff):
    user, secret = staff
    totp = pyotp.TOTP(secret)
    now = time.time()
    assert verify_totp_once(user, totp.at(now))
    assert not verify_totp_once(user, totp.at(now - 30))  # inside the window, but older than the one used
    assert not verify_totp_once(user, totp.at(now - 120))  # outside the window


def test_verify_totp_once_accepts_spaces_and_rejects_junk(staff):
    user, secret = staff
    code = pyotp.TOTP(secret).now()
    assert not verify_totp_once(user, "12345a")
    assert verify_totp_once(user, f"{code[:3]} {code[3:]}")


def test_code_step_without_the_password_step_sends_back_to_sign_in(client, staff):
    response = client.get("/staff/sign-in/code")
    assert response.status_code == 302 and response.location.endswith("/staff/sign-in")


def test_code_step_expires_after_five_minutes(client, staff):
    _, secret = staff
    _password_step(client, "admin@example.org")
    with client.session_transaction() as session:
        session[PENDING_SINCE_KEY] = int(time.time()) - 5 * 60 - 1
    response = client.post("/staff/sign-in/code", data={"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 302 and response.location.endswith("/staff/sign-in")
    assert client.get("/staff/").status_code == 302


def test_password_is_rehashed_when_the_parameters_change(staff):
    from argon2 import PasswordHasher

    user, _ = staff
    user.password_hash = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(STAFF_PASSWORD)
    db.session.commit()
    old_hash = user.password_hash
    assert authenticate_password("admin@example.org", STAFF_PASSWORD) is not None
    db.session.refresh(user)
    assert user.password_hash != old_hash
    assert not service._hasher.check_needs_rehash(user.password_hash)


def test_sign_in_honours_a_local_next_path(client, staff):
    _, secret = staff
    response = client.get("/staff/audit")
    assert response.status_code == 302 and "/staff/sign-in?next=/staff/audit" in response.location
    client.post("/staff/sign-in?next=/staff/audit", data={"email": "admin@example.org", "password": STAFF_PASSWORD})
    response = client.post("/staff/sign-in/code", data={"code": pyotp.TOTP(secret).now()})
    assert response.location.endswith("/staff/audit")


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example",
        "/\t/evil.example",
        "javascript:alert(1)",
        "staff",
        "",
    ],
)
def test_next_paths_that_could_leave_the_site_are_dropped(target):
    assert safe_next_path(target) is None


def test_sign_in_ignores_a_next_url_to_another_site(client, staff):
    _, secret = staff
    client.post("/staff/sign-in?next=//evil.example/", data={"email": "admin@example.org", "password": STAFF_PASSWORD})
    response = client.post("/staff/sign-in/code", data={"code": pyotp.TOTP(secret).now()})
    assert response.location.endswith("/staff/")


def test_failed_sign_ins_are_throttled_per_ip(app, client, staff, monkeypatch):
    monkeypatch.setitem(app.config, "STAFF_LOGIN_LIMIT_PER_IP", "3 per hour")
    for _ in range(3):
        assert _password_step(client, "admin@example.org", "wrong password entirely").status_code == 400
    assert _password_step(client, "admin@example.org").status_code == 429


def test_successful_sign_ins_do_not_use_up_the_ip_limit(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "STAFF_LOGIN_LIMIT_PER_IP", "2 per hour")
    with app.app_context():
        for role in (Role.ADMIN, Role.LEGAL, Role.SUPPORT):
            sign_in_staff(app.test_client(), role)


def test_idle_session_times_out(client, app_ctx):
    sign_in_staff(client, Role.ADMIN)
    assert client.get("/staff/").status_code == 200
    with client.session_transaction() as session:
        session[SEEN_KEY] = int(time.time()) - 31 * 60
    response = client.get("/staff/")
    assert response.status_code == 302 and "/staff/sign-in" in response.location
    assert client.get("/staff/").status_code == 302  # signed out, not just bounced once


def test_each_request_refreshes_the_idle_timer(client, app_ctx):
    sign_in_staff(client, Role.ADMIN)
    with client.session_transaction() as session:
        session[SEEN_KEY] = int(time.time()) - 29 * 60
    assert client.get("/staff/").status_code == 200
    with client.session_transaction() as session:
        assert session[SEEN_KEY] >= int(time.time()) - 5


def test_sign_out_is_a_post_and_ends_the_session(client, app_ctx):
    user = sign_in_staff(client, Role.SUPPORT)
    assert client.get("/staff/sign-out").status_code == 405
    response = client.post("/staff/sign-out")
    assert response.status_code == 302 and response.location.endswith("/staff/sign-in")
    assert client.get("/staff/").status_code == 302
    [event] = _events(AuditAction.STAFF_SIGNED_OUT)
    assert event.actor == f"staff:{user.id}"


def test_staff_pages_are_not_cached(client, app_ctx):
    sign_in_staff(client, Role.ADMIN)
    assert client.get("/staff/").headers["Cache-Control"] == "no-store"
    assert client.get("/staff/sign-in").headers["Cache-Control"] == "no-store"


def test_dashboard_lists_only_what_the_role_can_use(app):
    with app.app_context():
        auditor, support = app.test_client(), app.test_client()
        sign_in_staff(auditor, Role.AUDITOR)
        sign_in_staff(support, Role.SUPPORT)
        auditor_page = auditor.get("/staff/").get_data(as_text=True)
        support_page = support.get("/staff/").get_data(as_text=True)
    assert "/staff/audit" in auditor_page and "/staff/people" not in auditor_page
    assert "/staff/people" in support_page and "/staff/outbox/" in support_page
    assert "/staff/audit" not in support_page and "/staff/incidents/" not in support_page


def test_the_stored_user_is_a_staff_user(app_ctx, client):
    user = sign_in_staff(client, Role.LEGAL)
    assert isinstance(db.session.get(StaffUser, user.id), StaffUser)


def _csrf_token(page: bytes) -> str:
    return re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', page).group(1).decode()


def test_the_whole_flow_works_with_csrf_protection_on(app, client, staff):
    """Signing in clears the session twice; each form must still carry a token the next request accepts.

    CSRF is on in every test; this one passes each token itself, to show each page's own token is accepted."""
    _, secret = staff
    no_token = {"email": "admin@example.org", "password": STAFF_PASSWORD, "csrf_token": None}
    assert client.post("/staff/sign-in", data=no_token).status_code == 400
    token = _csrf_token(client.get("/staff/sign-in").data)
    response = client.post(
        "/staff/sign-in", data={"email": "admin@example.org", "password": STAFF_PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302, response.data
    token = _csrf_token(client.get("/staff/sign-in/code").data)
    response = client.post("/staff/sign-in/code", data={"code": pyotp.TOTP(secret).now(), "csrf_token": token})
    assert response.status_code == 302 and response.location.endswith("/staff/")
    token = _csrf_token(client.get("/staff/").data)
    assert client.post("/staff/sign-out", data={"csrf_token": token}).status_code == 302
    assert client.get("/staff/").status_code == 302


def test_racing_requests_with_one_code_let_exactly_one_in(app, staff):
    """The conditional UPDATE is the guard: several workers checking the same code at once, one wins."""
    import threading

    user, secret = staff
    user_id, code = user.id, pyotp.TOTP(secret).now()
    db.session.remove()
    barrier, results = threading.Barrier(6), []

    def attempt():
        with app.app_context():
            racer = db.session.get(StaffUser, user_id)
            barrier.wait()
            results.append(verify_totp_once(racer, code))
            db.session.remove()

    threads = [threading.Thread(target=attempt) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False] * 5 + [True]


def test_dashboard_shows_each_catalogs_completeness_and_review_status(client, app_ctx):
    from portal.core.catalog_status import review_status

    sign_in_staff(client, Role.ADMIN)
    page = client.get("/staff/").get_data(as_text=True)
    table = page[page.index('id="translations"') :]
    spanish = (
        Path(client.application.config["BABEL_TRANSLATION_DIRECTORIES"].split(";")[0]) / "es/LC_MESSAGES/contractor.po"
    )
    assert html.escape(review_status(spanish)) in table
    assert '<span lang="hi">हिन्दी</span> (hi)' in table
    assert "source text (English)" in table

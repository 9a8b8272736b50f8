import pyotp
from sqlalchemy import select

from portal.constants import AuditAction
from portal.extensions import db
from portal.models import AuditEvent, StaffUser
from portal.staff.service import authenticate_password, verify_totp_once

PASSWORD = "a long enough password"


def _secret_from(output: str) -> str:
    return next(line.split(":", 1)[1].strip() for line in output.splitlines() if line.strip().startswith("Secret:"))


def test_create_staff_with_prompted_password(app_ctx, runner):
    result = runner.invoke(
        args=["portal", "create-staff", "Ops@Example.org", "--role", "admin"], input=f"{PASSWORD}\n{PASSWORD}\n"
    )
    assert result.exit_code == 0, result.output
    assert "otpauth://totp/Exposure%20Portal:ops%40example.org?secret=" in result.output
    assert "issuer=Exposure%20Portal" in result.output
    assert PASSWORD not in result.output
    user = authenticate_password("ops@example.org", PASSWORD)
    assert user is not None and user.role == "admin"
    assert verify_totp_once(user, pyotp.TOTP(_secret_from(result.output)).now())
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == AuditAction.STAFF_CREATED))
    assert event.actor == "cli" and event.target == f"staff:{user.id}"


def test_create_staff_with_password_on_stdin(app_ctx, runner):
    result = runner.invoke(
        args=["portal", "create-staff", "a@example.org", "--role", "auditor", "--password-stdin"], input=f"{PASSWORD}\n"
    )
    assert result.exit_code == 0, result.output
    assert authenticate_password("a@example.org", PASSWORD).role == "auditor"


def test_create_staff_prompts_again_when_the_passwords_differ(app_ctx, runner):
    result = runner.invoke(
        args=["portal", "create-staff", "a@example.org", "--role", "legal"],
        input=f"{PASSWORD}\nsomething else entirely\n{PASSWORD}\n{PASSWORD}\n",
    )
    assert result.exit_code == 0, result.output
    assert "do not match" in result.output.lower() or "don't match" in result.output.lower()


def test_create_staff_refuses_a_short_password(app_ctx, runner):
    result = runner.invoke(
        args=["portal", "create-staff", "a@example.org", "--role", "admin", "--password-stdin"], input="short\n"
    )
    assert result.exit_code != 0
    assert "at least 12 characters" in result.output
    assert db.session.scalar(select(StaffUser)) is None


def test_create_staff_refuses_an_unknown_role(app_ctx, runner):
    result = runner.invoke(
        args=["portal", "create-staff", "a@example.org", "--role", "root", "--password-stdin"], input=f"{PASSWORD}\n"
    )
    assert result.exit_code != 0
    assert "admin" in result.output and "auditor" in result.output


def test_create_staff_refuses_a_duplicate_email(app_ctx, runner):
    args = ["portal", "create-staff", "a@example.org", "--role", "admin", "--password-stdin"]
    assert runner.invoke(args=args, input=f"{PASSWORD}\n").exit_code == 0
    result = runner.invoke(args=[*args[:2], "A@EXAMPLE.ORG", *args[3:]], input=f"{PASSWORD}\n")
    assert result.exit_code != 0
    assert "already exists" in result.output


def test_deactivate_staff_ends_the_account_s_sessions(app, runner):
    from tests.factories import sign_in_staff

    browser = app.test_client()
    with app.app_context():
        user = sign_in_staff(browser, "support")
        email = user.email
    result = runner.invoke(args=["portal", "deactivate-staff", email.upper()])
    assert result.exit_code == 0, result.output
    assert browser.get("/staff/").status_code == 302
    with app.app_context():
        assert not db.session.scalar(select(StaffUser).where(StaffUser.email == email)).active
    assert runner.invoke(args=["portal", "deactivate-staff", "nobody@example.org"]).exit_code != 0


def test_reset_staff_totp_prints_a_new_secret_once(app_ctx, runner):
    runner.invoke(
        args=["portal", "create-staff", "b@example.org", "--role", "legal", "--password-stdin"], input=f"{PASSWORD}\n"
    )
    result = runner.invoke(args=["portal", "reset-staff-totp", "b@example.org"])
    assert result.exit_code == 0, result.output
    user = authenticate_password("b@example.org", PASSWORD)
    assert verify_totp_once(user, pyotp.TOTP(_secret_from(result.output)).now())

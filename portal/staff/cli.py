"""``flask portal create-staff``, ``deactivate-staff`` and ``reset-staff-totp``."""

import sys

import click
from flask.cli import with_appcontext

from portal.constants import STAFF_ROLES
from portal.crypto import normalize_email
from portal.dao.staff import dao_get_staff_user_by_email
from portal.models import StaffUser
from portal.staff.service import (
    StaffAccountError,
    check_password_policy,
    create_staff_user,
    deactivate_staff,
    reset_staff_totp,
    totp_provisioning_uri,
)


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt="Repeat the password")


@click.command("create-staff")
@with_appcontext
@click.argument("email")
@click.option(
    "--role", type=click.Choice([str(role) for role in STAFF_ROLES]), required=True, help="What the account may do."
)
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of standard input.")
def create_staff_command(email, role, password_stdin):
    """Create a staff account and print its TOTP secret, to add to an authenticator app."""
    password = _read_password(password_stdin)
    try:
        check_password_policy(password)
        user, secret = create_staff_user(email, role, password)
    except StaffAccountError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Created {user.role} account {user.email}.")
    click.echo("Add it to an authenticator app (this is shown once; keep it secret):")
    click.echo(f"  URI:    {totp_provisioning_uri(user.email, secret)}")
    click.echo(f"  Secret: {secret}")


def _existing_account(email: str) -> StaffUser:
    user = dao_get_staff_user_by_email(normalize_email(email))
    if user is None:
        raise click.ClickException(f"There is no staff account for {email}.")
    return user


@click.command("deactivate-staff")
@with_appcontext
@click.argument("email")
def deactivate_staff_command(email):
    """Stop a staff account signing in, and end every session it has now."""
    user = _existing_account(email)
    deactivate_staff(user)
    click.echo(f"Deactivated {user.email}; every session of that account has ended.")


@click.command("reset-staff-totp")
@with_appcontext
@click.argument("email")
def reset_staff_totp_command(email):
    """Give a staff account a new TOTP secret (a lost or exposed phone); its sessions end now."""
    user = _existing_account(email)
    secret = reset_staff_totp(user)
    click.echo(f"New TOTP secret for {user.email}; every session of that account has ended.")
    click.echo("Add it to an authenticator app (this is shown once; keep it secret):")
    click.echo(f"  URI:    {totp_provisioning_uri(user.email, secret)}")
    click.echo(f"  Secret: {secret}")

"""``flask portal create-staff``."""

import sys

import click

from portal.cli import portal_cli
from portal.constants import STAFF_ROLES
from portal.staff.service import StaffAccountError, check_password_policy, create_staff_user, totp_provisioning_uri


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt="Repeat the password")


@portal_cli.command("create-staff")
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

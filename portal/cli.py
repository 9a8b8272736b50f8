"""``flask --app app portal …``: the operator's commands. Each fails loudly with a non-zero exit."""

import sys
from typing import NoReturn

import click
from flask.cli import AppGroup

portal_cli = AppGroup("portal", help="Exposure Portal commands.")


def exit_with_rejection(errors: list[str], error_count: int) -> NoReturn:
    """Print a refused file's listed problems (and how many more there were) and exit 1."""
    for message in errors:
        click.echo(message, err=True)
    if error_count > len(errors):
        click.echo(f"… and {error_count - len(errors)} more.", err=True)
    click.echo(f"Import rejected: {error_count} problem(s). Nothing was imported.", err=True)
    sys.exit(1)


# Feature modules add their commands to the group when imported.
from portal import cli_commands  # noqa: E402, F401

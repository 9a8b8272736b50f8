"""How an operator's command refuses a file: every listed problem, how many more, and exit status 1."""

import sys
from typing import NoReturn

import click


def exit_with_rejection(errors: list[str], error_count: int) -> NoReturn:
    """Print a refused file's listed problems (and how many more there were) and exit 1."""
    for message in errors:
        click.echo(message, err=True)
    if error_count > len(errors):
        click.echo(f"… and {error_count - len(errors)} more.", err=True)
    click.echo(f"Import rejected: {error_count} problem(s). Nothing was imported.", err=True)
    sys.exit(1)

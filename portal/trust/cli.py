"""``flask portal organisation-seed``: who we are, from the ORGANISATION_* settings."""

import click

from portal.cli import portal_cli
from portal.trust.organisation_admin import seed_organisation_from_config


@portal_cli.command("organisation-seed")
@click.option("--replace", is_flag=True, help="Overwrite details an admin already edited in the staff area.")
def organisation_seed(replace: bool) -> None:
    """Store the organisation's details from ORGANISATION_* settings (docs/trust.md)."""
    changed = seed_organisation_from_config(replace=replace)
    if changed is None:
        raise click.ClickException("The organisation's details are already stored; use --replace to overwrite them.")
    click.echo(f"Organisation details stored ({len(changed)} field(s) changed).")

"""``flask portal organisation-seed``: who we are, from the ORGANISATION_* settings."""

import click
from flask.cli import with_appcontext

from portal.core.cli_errors import exit_with_rejection
from portal.trust.organisation_admin import seed_organisation_from_config


@click.command("organisation-seed")
@with_appcontext
@click.option("--replace", is_flag=True, help="Overwrite details an admin already edited in the staff area.")
def organisation_seed(replace: bool) -> None:
    """Store the organisation's details from ORGANISATION_* settings (docs/trust.md)."""
    changed = seed_organisation_from_config(replace=replace)
    if changed is None:
        raise click.ClickException("The organisation's details are already stored; use --replace to overwrite them.")
    click.echo(f"Organisation details stored ({len(changed)} field(s) changed).")


def _import(kind: str, slug: str, path: str) -> None:
    from portal.dao.incidents import dao_get_incident_by_slug
    from portal.trust.vendor_imports import VendorImportRejected, import_outside_notices, import_returned_letters

    incident = dao_get_incident_by_slug(slug)
    if incident is None:
        raise click.ClickException(f"No incident with slug {slug!r}.")
    importer = import_outside_notices if kind == "notices" else import_returned_letters
    try:
        with open(path, "rb") as handle:
            report = importer(incident, handle.read(), actor="cli")
    except OSError as exc:
        raise click.ClickException(f"Cannot read {path}: {exc.strerror}") from exc
    except VendorImportRejected as rejected:
        exit_with_rejection(rejected.problems[:50], len(rejected.problems))
    click.echo(f"{report.rows} row(s) read, {report.added} new; file SHA-256 {report.sha256}.")


@click.command("import-outside-notices")
@with_appcontext
@click.option("--incident", "slug", required=True, help="The incident's slug.")
@click.argument("path", type=click.Path(dir_okay=False))
def import_outside_notices_command(slug: str, path: str) -> None:
    """Notices the letter vendor sent outside the portal: contractor_id, channel, sent_on (docs/trust.md)."""
    _import("notices", slug, path)


@click.command("import-returned-letters")
@with_appcontext
@click.option("--incident", "slug", required=True, help="The incident's slug.")
@click.argument("path", type=click.Path(dir_okay=False))
def import_returned_letters_command(slug: str, path: str) -> None:
    """Letters returned undelivered: contractor_id, returned_on, reason (docs/trust.md)."""
    _import("returns", slug, path)

"""``flask portal import``: load the affected-person register from CSV files."""

import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

from portal.core.cli_errors import exit_with_rejection
from portal.dao.incidents import dao_get_all_incidents, dao_get_incident_by_slug
from portal.imports.service import ImportRejected, import_register

_EXISTING_FILE = click.Path(exists=True, dir_okay=False, readable=True, path_type=Path)


@click.command("import")
@with_appcontext
@click.option("--incident", "slug", required=True, help="Slug of the incident the register belongs to.")
@click.option(
    "--exposures-only",
    "exposures_only",
    type=_EXISTING_FILE,
    default=None,
    help="Import only an exposures file (for people already in the register).",
)
@click.argument("people_csv", required=False, type=_EXISTING_FILE)
@click.argument("exposures_csv", required=False, type=_EXISTING_FILE)
def import_command(slug: str, exposures_only: Path | None, people_csv: Path | None, exposures_csv: Path | None) -> None:
    """Import PEOPLE_CSV and, optionally, EXPOSURES_CSV into an incident (all or nothing).

    See docs/import-format.md for the columns. Re-importing the same files changes nothing.
    """
    if exposures_only is not None and (people_csv or exposures_csv):
        raise click.UsageError("Give either --exposures-only FILE or PEOPLE_CSV [EXPOSURES_CSV], not both.")
    if exposures_only is None and people_csv is None:
        raise click.UsageError("Give PEOPLE_CSV [EXPOSURES_CSV], or --exposures-only EXPOSURES_CSV.")
    if exposures_only is not None:
        exposures_csv = exposures_only
    incident = dao_get_incident_by_slug(slug)
    if incident is None:
        known = ", ".join(item.slug for item in dao_get_all_incidents()) or "none yet (flask portal create-incident)"
        raise click.BadParameter(
            f"no incident has the slug {slug!r}. Known incidents: {known}.", param_hint="--incident"
        )
    try:
        report = _run_with_progress(incident, people_csv, exposures_csv)
    except ImportRejected as rejected:
        exit_with_rejection(rejected.errors, rejected.error_count)
    click.echo(f"Imported into {incident.slug}:")
    click.echo(f"  people created:      {report.people_created}")
    click.echo(f"  people updated:      {report.people_updated}")
    click.echo(f"  exposures added:     {report.exposures_added}")
    click.echo(f"  exposures updated:   {report.exposures_updated}")
    click.echo(f"  notice codes added:  {report.notice_codes_added}")


def _run_with_progress(incident, people_csv: Path | None, exposures_csv: Path | None):
    """A progress bar by bytes read, only on a terminal (a log file would fill with bar redraws)."""
    if not _stdout_is_terminal():
        return import_register(incident, people_csv, exposures_csv)
    total = sum(path.stat().st_size for path in (people_csv, exposures_csv) if path is not None)
    with click.progressbar(length=total, label="Importing", show_eta=True, file=sys.stdout) as bar:
        return import_register(incident, people_csv, exposures_csv, progress=bar.update)


def _stdout_is_terminal() -> bool:
    return sys.stdout.isatty()

"""``flask --app app portal export-claimants``.

The operator's export: the same filters, rows, neutralisation and columns as the staff page, but
written in plaintext to the file the operator names (they run it on the server, so they decide
where it goes), with a ``FILE.manifest.json`` beside it and an audit event carrying its SHA-256.
"""

import hashlib
import io
import json
from datetime import date
from pathlib import Path

import click
from flask.cli import with_appcontext

from portal.audit.chain import record_audit
from portal.constants import AuditAction, BenefitKind, ExportFormat, ExportKind, FraudSignalKind
from portal.core.time import utcnow
from portal.dao.claimant_exports import FRAUD_ANY, FRAUD_NONE
from portal.dao.incidents import dao_get_incident_by_slug
from portal.extensions import db
from portal.legal.exports import CLAIMANT_COLUMNS, ExportFilters, RowStats, write_export
from portal.legal.forms import EXPORTABLE_STATUSES

FRAUD_CHOICES = [FRAUD_ANY, FRAUD_NONE, *[kind.value for kind in FraudSignalKind]]


class HashingFile(io.RawIOBase):
    """A binary file that also computes the SHA-256 of what was written."""

    def __init__(self, path: Path):
        super().__init__()
        self._handle = open(path, "xb")  # noqa: SIM115 - closed in close()
        self._digest = hashlib.sha256()
        self.size = 0

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        chunk = bytes(data)
        self._digest.update(chunk)
        self._handle.write(chunk)
        self.size += len(chunk)
        return len(chunk)

    @property
    def sha256(self) -> str:
        return self._digest.hexdigest()

    def close(self) -> None:
        if not self.closed:
            self._handle.close()
        super().close()


def _iso_date(value: str | None, option: str) -> str:
    if not value:
        return ""
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError as exc:
        raise click.BadParameter(f"{value!r} is not a date like 2026-10-01", param_hint=option) from exc


@click.command("export-claimants")
@with_appcontext
@click.option("--format", "file_format", type=click.Choice([f.value for f in ExportFormat]), required=True)
@click.option(
    "--out",
    "out_path",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="The file to write; must not exist yet. FILE.manifest.json is written beside it.",
)
@click.option("--incident", "incident_slug", help="Only this incident (its slug).")
@click.option(
    "--status",
    "statuses",
    multiple=True,
    type=click.Choice([s.value for s in EXPORTABLE_STATUSES]),
    help="Only claims in this status (repeatable). Default: every status except draft.",
)
@click.option("--benefit", type=click.Choice([b.value for b in BenefitKind]), help="Only claims with this benefit.")
@click.option("--country", help="Only claimants in this country (ISO 3166-1).")
@click.option("--region", help="Only claimants in this region (ISO 3166-2, e.g. US-CA).")
@click.option("--fraud-signal", "fraud", type=click.Choice(FRAUD_CHOICES), help="any, none, or one signal kind.")
@click.option("--submitted-from", help="Submitted on or after this date (YYYY-MM-DD).")
@click.option("--submitted-to", help="Submitted on or before this date (YYYY-MM-DD).")
@click.option("--include-payment-details", is_flag=True, help="Full payment details instead of masked.")
def export_claimants_command(
    file_format,
    out_path,
    incident_slug,
    statuses,
    benefit,
    country,
    region,
    fraud,
    submitted_from,
    submitted_to,
    include_payment_details,
):
    """Export claimants to a CSV or XLSX file (docs/exports.md lists the columns)."""
    incident_id = None
    if incident_slug:
        incident = dao_get_incident_by_slug(incident_slug)
        if incident is None:
            raise click.ClickException(f"No incident with slug {incident_slug!r}.")
        incident_id = incident.id
    filters = ExportFilters(
        incident_id=incident_id,
        statuses=tuple(statuses),
        benefit=benefit or "",
        country=(country or "").strip().upper(),
        region=(region or "").strip().upper(),
        fraud=fraud or "",
        submitted_from=_iso_date(submitted_from, "--submitted-from"),
        submitted_to=_iso_date(submitted_to, "--submitted-to"),
    )
    manifest_path = out_path.with_name(out_path.name + ".manifest.json")
    for path in (out_path, manifest_path):
        if path.exists():
            raise click.ClickException(f"{path} already exists; choose another --out (nothing was written).")
    if not out_path.parent.is_dir():
        raise click.ClickException(f"The folder {out_path.parent} does not exist.")
    stats = RowStats()
    facts = {
        "export_id": "cli",
        "kind": ExportKind.CLAIMANTS.value,
        "format": file_format,
        "file_name": out_path.name,
        "filters": json.loads(filters.to_json()),
        "columns": [c.key for c in CLAIMANT_COLUMNS],
        "payment_details": "full" if include_payment_details else "masked",
        "requested_by": "cli",
        "generated_at": utcnow().isoformat(timespec="seconds"),
    }

    def manifest_sheet(rows: int) -> list[list]:
        return [
            ["fact", "value"],
            *([k, json.dumps(v) if isinstance(v, dict | list) else v] for k, v in (facts | {"rows": rows}).items()),
        ]

    out = HashingFile(out_path)
    try:
        rows = write_export(
            out, ExportKind.CLAIMANTS, file_format, filters, include_payment_details, stats, manifest_sheet
        )
    except Exception:
        out.close()
        out_path.unlink(missing_ok=True)
        raise
    out.close()
    facts |= {"rows": rows, "unreadable_cells": stats.unreadable_cells, "sha256": out.sha256, "bytes": out.size}
    manifest_path.write_text(json.dumps(facts, indent=2) + "\n", encoding="utf-8")
    record_audit(AuditAction.EXPORT_CREATED, "export:cli", facts, actor="cli")
    db.session.commit()
    click.echo(f"Wrote {rows:,} claimants to {out_path} (SHA-256 {out.sha256}) and its manifest to {manifest_path}.")


@click.command("purge-exports")
@with_appcontext
@click.option(
    "--older-than-days",
    type=click.IntRange(min=0),
    default=30,
    show_default=True,
    help="Delete export files made more than this many days ago.",
)
def purge_exports_command(older_than_days: int) -> None:
    """Delete old export files from instance/exports (jobs and audit events are kept)."""
    from portal.legal.jobs import purge_exports

    purged = purge_exports(older_than_days)
    click.echo(f"Deleted the files of {len(purged)} export(s) made more than {older_than_days} days ago.")

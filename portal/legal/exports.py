"""Claimant and exclusion exports: filters, columns, and the streaming CSV / XLSX writers.

Rows are produced a keyset page at a time and written as they come: nothing holds the whole
export, so memory stays flat however many claimants there are (docs/exports.md has the figures).
Every cell is neutralised (portal/core/csv_safety.py) so a spreadsheet never runs what a claimant
typed: a name like ``=HYPERLINK(...)`` arrives as the text ``'=HYPERLINK(...)``. The row producers
neutralise the cells that need it; XLSX neutralises again after removing the characters XML cannot
hold (neutralising twice changes nothing).
"""

import json
import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import date
from decimal import Decimal

from flask import current_app

from portal.constants import ExportFormat, ExportKind
from portal.core.csv_safety import CSV_BOM, csv_text, neutralise
from portal.crypto import crypto
from portal.dao.claimant_exports import ClaimantQuery, dao_count_claimants
from portal.dao.exclusions import dao_count_exclusions, dao_get_exclusion_page
from portal.legal.claimant_rows import PAGE_SIZE, CellOpener, ClaimantPages, claimant_pages, iso_utc
from portal.legal.export_pool import export_workers, pooled_csv_pages, worker_settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Column:
    key: str
    description: str
    numeric: bool = False  # written as a number in XLSX (CSV cells are all text)


CLAIMANT_COLUMNS = (
    Column("claim_reference", "The claim's reference number, as the claimant was given it"),
    Column("incident", "The incident's slug"),
    Column("status", "submitted, needs_info, approved, denied, paid or withdrawn"),
    Column("contractor_id", "The contractor id from the register"),
    Column("first_name", "First name, as in the register"),
    Column("last_name", "Last name, as in the register"),
    Column("email", "Email address on file"),
    Column("phone", "Phone number on file (decrypted)"),
    Column("address_line1", "Postal address, first line (decrypted)"),
    Column("address_line2", "Postal address, second line"),
    Column("city", "City"),
    Column("postal_code", "Postal code"),
    Column("country", "ISO 3166-1 country code"),
    Column("region", "ISO 3166-2 region code (US state), if known"),
    Column("categories_exposed", "Categories of the claimant's data exposed in the incident, separated by '; '"),
    Column("benefits", "Benefits claimed, sorted, separated by '; '"),
    Column("out_of_pocket_amount", "Documented out-of-pocket losses claimed, in the currency column", numeric=True),
    Column("lost_time_hours", "Hours of lost time claimed", numeric=True),
    Column("lost_time_amount", "Lost time claimed, as an amount", numeric=True),
    Column("alternative_cash_amount", "Alternative cash payment chosen, as an amount", numeric=True),
    Column("monitoring_instead", "yes if the claimant chose monitoring instead of cash"),
    Column("total_claimed", "Sum of the amounts above", numeric=True),
    Column("currency", "ISO 4217 currency of the amounts"),
    Column("payment_method", "bank_transfer, paypal, check, … as the incident configures"),
    Column(
        "payment_details",
        "The payment method's details; masked (last four characters) unless the export "
        "was made with full payment details by legal staff",
    ),
    Column("submitted_at", "When the claim was submitted (UTC, ISO 8601)"),
    Column("decided_at", "When the claim was approved or denied (UTC, ISO 8601), if it was"),
    Column("attestation_name", "The full name the claimant typed when attesting"),
    Column("fraud_signals", "Fraud signals with their reasons, separated by '; ' (signals inform; they never decide)"),
)

EXCLUSION_COLUMNS = (
    Column("incident", "The incident's slug"),
    Column("contractor_id", "The contractor id from the register"),
    Column("first_name", "First name, as in the register"),
    Column("last_name", "Last name, as in the register"),
    Column("email", "Email address on file"),
    Column("country", "ISO 3166-1 country code"),
    Column("region", "ISO 3166-2 region code, if known"),
    Column("typed_name", "The full name the contractor typed to sign the request"),
    Column("reason", "The reason they gave (optional)"),
    Column("requested_at", "When they asked to be excluded (UTC, ISO 8601)"),
    Column("status", "excluded, or withdrawn"),
    Column("withdrawn_at", "When they withdrew the request, if they did"),
)


def columns_for(kind: str) -> tuple[Column, ...]:
    return CLAIMANT_COLUMNS if kind == ExportKind.CLAIMANTS else EXCLUSION_COLUMNS


@dataclass(frozen=True)
class ExportFilters:
    """What a staff member chose; stored as JSON on the job and in its audit event (no personal data)."""

    incident_id: int | None = None
    statuses: tuple[str, ...] = ()
    benefit: str = ""
    country: str = ""
    region: str = ""
    fraud: str = ""
    submitted_from: str = ""  # ISO date
    submitted_to: str = ""
    include_withdrawn: bool = False  # exclusions only
    extra: dict = field(default_factory=dict, compare=False)

    def to_json(self) -> str:
        values = {
            key: list(value) if isinstance(value, tuple) else value
            for key, value in asdict(self).items()
            if key != "extra" and value not in ("", (), None, False)
        }
        return json.dumps(values, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> "ExportFilters":
        return cls.from_json_dict(json.loads(text or "{}"))

    @classmethod
    def from_json_dict(cls, raw: dict) -> "ExportFilters":
        known = {
            key: tuple(value) if isinstance(value, list) else value
            for key, value in raw.items()
            if key in cls.__dataclass_fields__ and key != "extra"
        }
        return cls(**known)

    def claimant_query(self) -> ClaimantQuery:
        return ClaimantQuery(
            incident_id=self.incident_id,
            statuses=self.statuses,
            benefit=self.benefit,
            country=self.country.upper(),
            region=self.region.upper(),
            fraud=self.fraud,
            submitted_from=date.fromisoformat(self.submitted_from) if self.submitted_from else None,
            submitted_to=date.fromisoformat(self.submitted_to) if self.submitted_to else None,
        )


@dataclass
class RowStats:
    """What the manifest says about the rows beyond their count."""

    unreadable_cells: int = 0


def iter_claimant_pages(filters: ExportFilters, full_payment_details: bool, stats: RowStats) -> Iterator[list]:
    """The claimant rows a page at a time, keeping ``stats`` up to date as each page is read."""
    opener = CellOpener(crypto().cipher, full_payment_details)
    for rows in claimant_pages(filters.claimant_query(), opener):
        stats.unreadable_cells = opener.unreadable
        yield rows


def claimant_csv_pages(
    filters: ExportFilters, full_payment_details: bool, stats: RowStats, total_rows: int | None = None
) -> Iterator[tuple[bytes, int]]:
    """The claimant CSV a page at a time, built here or, for a large export, by worker processes
    (export_pool.py): the same bytes either way. ``total_rows``: the count, if already known."""
    query = filters.claimant_query()
    workers = export_workers(current_app.config, query, total_rows)
    if not workers:
        for rows in iter_claimant_pages(filters, full_payment_details, stats):
            yield csv_text(rows).encode(), len(rows)
        return
    local = ClaimantPages(query, CellOpener(crypto().cipher, full_payment_details))
    settings = worker_settings(filters.to_json(), full_payment_details)
    for text, rows, unreadable in pooled_csv_pages(local, settings, workers):
        stats.unreadable_cells += unreadable
        yield text, rows


def iter_exclusion_pages(filters: ExportFilters, page_size: int = PAGE_SIZE) -> Iterator[list[list[str]]]:
    """The exclusion rows a keyset page at a time, like ``iter_claimant_pages``."""
    after_id = 0
    while page := dao_get_exclusion_page(filters.incident_id, filters.include_withdrawn, after_id, page_size):
        yield [
            [
                slug, neutralise(contractor_id), neutralise(first), neutralise(last), neutralise(email),
                neutralise(country), neutralise(region), neutralise(typed_name), neutralise(reason or ""),
                iso_utc(requested_at),
                "withdrawn" if withdrawn_at else "excluded", iso_utc(withdrawn_at),
            ]
            for (
                _id, slug, contractor_id, first, last, email, country, region, typed_name, reason, requested_at,
                withdrawn_at,
            ) in page
        ]  # fmt: skip
        after_id = page[-1][0]


def count_rows(kind: str, filters: ExportFilters) -> int:
    if kind == ExportKind.CLAIMANTS:
        return dao_count_claimants(filters.claimant_query())
    return dao_count_exclusions(filters.incident_id, filters.include_withdrawn)


def iter_rows(kind: str, filters: ExportFilters, full_payment_details: bool, stats: RowStats) -> Iterator[list[str]]:
    if kind == ExportKind.CLAIMANTS:
        pages = iter_claimant_pages(filters, full_payment_details, stats)
    else:
        pages = iter_exclusion_pages(filters)
    return (row for rows in pages for row in rows)


def csv_pages(
    kind: str, filters: ExportFilters, full_payment_details: bool, stats: RowStats, total_rows: int | None = None
) -> Iterator[tuple[bytes, int]]:
    """(CSV as UTF-8, rows) a page at a time."""
    if kind == ExportKind.CLAIMANTS:
        return claimant_csv_pages(filters, full_payment_details, stats, total_rows)
    return ((csv_text(rows).encode(), len(rows)) for rows in iter_exclusion_pages(filters))


# -- writers ----------------------------------------------------------------------------------------

Progress = Callable[[int], None]
PROGRESS_EVERY = 5000


def write_csv(
    out, columns: tuple[Column, ...], pages: Iterable[tuple[bytes, int]], progress: Progress | None = None
) -> int:
    """UTF-8 with a byte-order mark (so Excel reads accents right), CRLF rows, every cell neutralised.
    ``pages`` is the CSV (UTF-8, from csv_text) with its number of rows, a page at a time."""
    out.write((CSV_BOM + csv_text([[column.key for column in columns]])).encode())
    count, report_at = 0, PROGRESS_EVERY
    for text, rows in pages:
        out.write(text)
        count += rows
        if progress and count >= report_at:
            progress(count)
            report_at = count - count % PROGRESS_EVERY + PROGRESS_EVERY
    return count


def write_xlsx(
    out,
    columns: tuple[Column, ...],
    rows: Iterator[list[str]],
    manifest: Callable[[int], list[list]],
    progress: Progress | None = None,
) -> int:
    """openpyxl write-only mode: rows are spooled to a temporary sheet file, never held in memory.

    Amount columns become numbers so they can be summed; every text cell is neutralised (openpyxl
    would otherwise store a text starting with "=" as a formula). The second sheet, "Manifest", is
    written after the rows so it can say how many there were.
    """
    # Imported here: a CSV export (and its worker processes, which start a fresh interpreter per
    # export) needs none of openpyxl, a sixth of a second to import.
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    strip = ILLEGAL_CHARACTERS_RE.sub

    def text_cell(value: str) -> str:
        return neutralise(strip("", value))

    workbook = Workbook(write_only=True)
    data = workbook.create_sheet("Export")
    facts = workbook.create_sheet("Manifest")
    data.append([column.key for column in columns])
    numeric = [column.numeric for column in columns]
    count = 0
    for row in rows:
        data.append([
            (Decimal(cell) if cell else None) if is_number else text_cell(cell)
            for cell, is_number in zip(row, numeric, strict=True)
        ])  # fmt: skip
        count += 1
        if progress and count % PROGRESS_EVERY == 0:
            progress(count)
    for line in manifest(count):
        facts.append([text_cell(value) if isinstance(value, str) else value for value in line])
    workbook.save(out)
    return count


def write_export(
    out,
    kind: str,
    file_format: str,
    filters: ExportFilters,
    full_payment_details: bool,
    stats: RowStats,
    manifest: Callable[[int], list[list]],
    progress: Progress | None = None,
    total_rows: int | None = None,
) -> int:
    """Write the export to ``out`` (a binary file); returns the number of rows. ``total_rows``, the
    count if the caller has made it, saves counting again to decide on worker processes."""
    columns = columns_for(kind)
    if file_format == ExportFormat.XLSX:
        return write_xlsx(out, columns, iter_rows(kind, filters, full_payment_details, stats), manifest, progress)
    pages = csv_pages(kind, filters, full_payment_details, stats, total_rows)
    try:
        return write_csv(out, columns, pages, progress)
    finally:
        pages.close()  # a failed write stops the workers now, not when the generator is collected

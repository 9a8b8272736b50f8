"""Claimant and exclusion exports: filters, columns, rows, and the streaming CSV / XLSX writers.

Rows are produced a keyset page at a time and written as they come: nothing holds the whole
export, so memory stays flat however many claimants there are (docs/exports.md has the figures).
Every text cell goes through ``neutralise`` so a spreadsheet never runs what a claimant typed:
a name like ``=HYPERLINK(...)`` arrives as the text ``'=HYPERLINK(...)``.
"""

import csv
import io
import json
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from portal.constants import BenefitKind, ExportFormat, ExportKind
from portal.crypto import DecryptionError, crypto
from portal.dao.legal import (
    ClaimantQuery,
    dao_count_claimants,
    dao_count_exclusions,
    dao_get_benefits_for_page,
    dao_get_categories_for_page,
    dao_get_claimant_page,
    dao_get_exclusion_page,
    dao_get_fraud_signals_for_page,
)

PAGE_SIZE = 2000  # ids in an IN list per lookup: far below SQLite's and PostgreSQL's limits
# A spreadsheet treats a cell starting with one of these as a formula (or, for tab and carriage
# return, as a cell that can smuggle one in). OWASP's CSV-injection advice: prefix a single quote.
DANGEROUS_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_DANGEROUS_FIRST = frozenset(DANGEROUS_PREFIXES)
UNREADABLE = "(unreadable)"


def neutralise(value):
    """A cell value that no spreadsheet will execute; non-text values pass through unchanged."""
    if isinstance(value, str) and value[:1] in _DANGEROUS_FIRST:
        return "'" + value
    return value


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
    Column("payment_details", "The payment method's details; masked (last four characters) unless the export "
                              "was made with full payment details by legal staff"),
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
        values = {key: list(value) if isinstance(value, tuple) else value
                  for key, value in asdict(self).items() if key != "extra" and value not in ("", (), None, False)}
        return json.dumps(values, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> "ExportFilters":
        raw = json.loads(text or "{}")
        known = {key: tuple(value) if isinstance(value, list) else value
                 for key, value in raw.items() if key in cls.__dataclass_fields__ and key != "extra"}
        return cls(**known)

    def claimant_query(self) -> ClaimantQuery:
        return ClaimantQuery(
            incident_id=self.incident_id, statuses=self.statuses, benefit=self.benefit,
            country=self.country.upper(), region=self.region.upper(), fraud=self.fraud,
            submitted_from=date.fromisoformat(self.submitted_from) if self.submitted_from else None,
            submitted_to=date.fromisoformat(self.submitted_to) if self.submitted_to else None,
        )


# -- payment details --------------------------------------------------------------------------------

def full_payment_details(details: dict) -> str:
    """Every field of the method's details ("account_number: …; bank_name: …"), for the payment run."""
    return "; ".join(f"{key}: {details[key]}" for key in sorted(details)
                     if key != "method" and details[key] not in (None, ""))


class _Decrypter:
    """Decrypts the cells of one export, counting those that will not decrypt instead of failing.

    One unreadable value (a row written under a key since removed from the ring) must not stop a
    court's list; it shows as "(unreadable)" and the manifest says how many there were.
    """

    def __init__(self, full_payment_details: bool):
        # The claims feature owns how payment details are sealed and masked; use its functions.
        from portal.claims.payment import mask_details, payment_aad

        self._mask, self._payment_aad = mask_details, payment_aad
        self._decrypt = crypto().cipher.decrypt  # looked up once, not per cell
        self.full = full_payment_details
        self.unreadable = 0

    def person(self, token: str | None, uid: str, field_name: str) -> str:
        if not token:
            return ""
        try:
            return self._decrypt(token, f"person:{uid}:{field_name}")
        except DecryptionError:
            self.unreadable += 1
            return UNREADABLE

    def address(self, token: str | None, uid: str) -> tuple[str, str, str, str]:
        text = self.person(token, uid, "address")
        if not text or text == UNREADABLE:
            return (text, "", "", "")
        try:
            parts = json.loads(text)
        except ValueError:
            return (text, "", "", "")
        return (parts.get("line1") or "", parts.get("line2") or "", parts.get("city") or "",
                parts.get("postal_code") or "")

    def payment(self, token: str | None, claim_id: int, method: str) -> str:
        if not token:
            return ""
        try:
            details = json.loads(self._decrypt(token, self._payment_aad(claim_id)))
        except (DecryptionError, ValueError):
            self.unreadable += 1
            return UNREADABLE
        if not isinstance(details, dict):
            details = {}
        return full_payment_details(details) if self.full else self._mask(method, details)


# -- rows -------------------------------------------------------------------------------------------

def _iso(moment: datetime | str | None) -> str:
    """UTC, ISO 8601 to the second. SQLite hands the stored text ("2026-10-15 12:00:00.000000", always
    UTC: the column type converts before storing); PostgreSQL an aware datetime."""
    if not moment:
        return ""
    if isinstance(moment, str):
        return f"{moment[:10]}T{moment[11:19]}+00:00"
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def _money(cents: int) -> str:
    """Integer cents to "123.45". Exact: n / 100 is within far less than half a cent of the true
    value for any amount below 2**53 cents, so rounding to two places gives it back."""
    return f"{cents / 100:.2f}"


_OUT, _LOST, _CASH, _MON = (BenefitKind.OUT_OF_POCKET.value, BenefitKind.LOST_TIME.value,
                            BenefitKind.ALTERNATIVE_CASH.value, BenefitKind.MONITORING.value)


def _benefit_cells(benefits: list[tuple[str, int, float]]) -> list[str]:
    out_of_pocket = lost = cash = other = 0
    hours = 0.0
    kinds: list[str] = []
    for kind, cents, benefit_hours in benefits:
        if kind not in kinds:
            kinds.append(kind)
        if kind == _OUT:
            out_of_pocket += cents
        elif kind == _LOST:
            lost += cents
            hours += benefit_hours
        elif kind == _CASH:
            cash += cents
        else:
            other += cents
    return ["; ".join(sorted(kinds)), _money(out_of_pocket), f"{hours:.2f}", _money(lost), _money(cash),
            "yes" if _MON in kinds else "no", _money(out_of_pocket + lost + cash + other)]


@dataclass
class RowStats:
    """What the manifest says about the rows beyond their count."""

    unreadable_cells: int = 0


def iter_claimant_rows(filters: ExportFilters, full_payment_details: bool, stats: RowStats,
                       page_size: int = PAGE_SIZE) -> Iterator[list[str]]:
    """One list of text cells per claim, in claim id order, decrypting one row at a time."""
    query = filters.claimant_query()
    decrypter = _Decrypter(full_payment_details)
    after_id = 0
    while True:
        page = dao_get_claimant_page(query, after_id, page_size)
        if not page:
            break
        first_id, last_id = page[0][0], page[-1][0]
        benefits = dao_get_benefits_for_page(query, first_id, last_id)
        signals = dao_get_fraud_signals_for_page(query, first_id, last_id)
        categories = dao_get_categories_for_page(query, first_id, last_id)
        for (claim_id, reference, status, method, payment_enc, submitted_at, decided_at, attested, slug, uid,
             contractor_id, first, last, email, phone_enc, address_enc, country, region, currency) in page:
            yield [
                reference, slug, status, contractor_id, first, last, email,
                decrypter.person(phone_enc, uid, "phone"), *decrypter.address(address_enc, uid),
                country, region, categories.get(claim_id, ""),
                *_benefit_cells(benefits.get(claim_id, ())), currency, method,
                decrypter.payment(payment_enc, claim_id, method),
                _iso(submitted_at), _iso(decided_at), attested,
                "; ".join(f"{kind}: {detail}" for kind, detail in signals.get(claim_id, ())),
            ]
        stats.unreadable_cells = decrypter.unreadable
        after_id = last_id


def iter_exclusion_rows(filters: ExportFilters, stats: RowStats, page_size: int = PAGE_SIZE) -> Iterator[list[str]]:
    after_id = 0
    while True:
        page = dao_get_exclusion_page(filters.incident_id, filters.include_withdrawn, after_id, page_size)
        if not page:
            return
        for (_id, slug, contractor_id, first, last, email, country, region, typed_name, reason, requested_at,
             withdrawn_at) in page:
            yield [slug, contractor_id, first, last, email, country, region, typed_name, reason or "",
                   _iso(requested_at), "withdrawn" if withdrawn_at else "excluded", _iso(withdrawn_at)]
        after_id = page[-1][0]


def count_rows(kind: str, filters: ExportFilters) -> int:
    if kind == ExportKind.CLAIMANTS:
        return dao_count_claimants(filters.claimant_query())
    return dao_count_exclusions(filters.incident_id, filters.include_withdrawn)


def iter_rows(kind: str, filters: ExportFilters, full_payment_details: bool, stats: RowStats) -> Iterator[list[str]]:
    if kind == ExportKind.CLAIMANTS:
        return iter_claimant_rows(filters, full_payment_details, stats)
    return iter_exclusion_rows(filters, stats)


# -- writers ----------------------------------------------------------------------------------------

Progress = Callable[[int], None]
PROGRESS_EVERY = 5000


def write_csv(out, columns: tuple[Column, ...], rows: Iterator[list[str]], progress: Progress | None = None) -> int:
    """UTF-8 with a byte-order mark (so Excel reads accents right), CRLF rows, every cell neutralised.

    Rows are lists of text. The neutralisation is inlined (not a call per cell): at a million rows
    of 29 cells it is the inner loop of the whole export.
    """
    text = io.TextIOWrapper(io.BufferedWriter(out, buffer_size=1 << 16), encoding="utf-8", newline="",
                            write_through=False)
    text.write("\ufeff")
    writer = csv.writer(text)
    writer.writerow([column.key for column in columns])
    dangerous = _DANGEROUS_FIRST
    count = 0
    for row in rows:
        writer.writerow(["'" + cell if cell[:1] in dangerous else cell for cell in row])
        count += 1
        if progress and count % PROGRESS_EVERY == 0:
            progress(count)
    text.flush()
    text.detach().flush()
    return count


def _xlsx_text(value: str) -> str:
    return neutralise(ILLEGAL_CHARACTERS_RE.sub("", value))


def write_xlsx(out, columns: tuple[Column, ...], rows: Iterator[list[str]], manifest: Callable[[int], list[list]],
               progress: Progress | None = None) -> int:
    """openpyxl write-only mode: rows are spooled to a temporary sheet file, never held in memory.

    Amount columns become numbers so they can be summed; every text cell is neutralised (openpyxl
    would otherwise store a text starting with "=" as a formula). The second sheet, "Manifest", is
    written after the rows so it can say how many there were.
    """
    workbook = Workbook(write_only=True)
    data = workbook.create_sheet("Export")
    facts = workbook.create_sheet("Manifest")
    data.append([column.key for column in columns])
    numeric = [column.numeric for column in columns]
    count = 0
    for row in rows:
        data.append([(Decimal(cell) if cell else None) if is_number else _xlsx_text(cell)
                     for cell, is_number in zip(row, numeric, strict=True)])
        count += 1
        if progress and count % PROGRESS_EVERY == 0:
            progress(count)
    for line in manifest(count):
        facts.append([_xlsx_text(value) if isinstance(value, str) else value for value in line])
    workbook.save(out)
    return count


def write_export(out, kind: str, file_format: str, rows: Iterator[list[str]], manifest: Callable[[int], list[list]],
                 progress: Progress | None = None) -> int:
    columns = columns_for(kind)
    if file_format == ExportFormat.XLSX:
        return write_xlsx(out, columns, rows, manifest, progress)
    return write_csv(out, columns, rows, progress)

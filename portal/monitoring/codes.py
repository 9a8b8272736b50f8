"""Importing a provider's activation codes into a product's pool.

Format: a UTF-8 CSV file with a header row naming a ``code`` column, then one code per line
(other columns are ignored; blank lines are skipped). All or nothing: a code repeated in the file
or already in the pool, or anything that is not a code, rejects the whole file with line numbers,
and nothing is written. Messages name lines, never codes: an error list is often pasted into
tickets and chats, and an activation code is as good as a voucher.

Codes are stored encrypted (AES-GCM, bound to the product) with a keyed hash to find duplicates.
After the import commits, the product's waiting list is served from the new codes.
"""

import csv
import hashlib
import io
import re
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from portal.audit.chain import record_audit
from portal.constants import AuditAction
from portal.core.time import utcnow
from portal.crypto import crypto
from portal.dao.monitoring import dao_add_activation_codes, dao_find_existing_code_hashes
from portal.extensions import db
from portal.models import MonitoringProduct
from portal.monitoring.service import activation_code_aad, serve_waiting_list

MAX_FILE_BYTES = 20 * 1024 * 1024  # about a million codes; providers send far smaller batches
MAX_ERRORS_LISTED = 50
CODE_COLUMN = "code"
CODE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/+=:-]{0,63}$")


@dataclass(frozen=True)
class CodeImportReport:
    added: int
    served: int  # waiting enrollments that got a code from this import
    sha256: str


class CodeImportRejected(Exception):
    """Nothing was imported. ``errors`` lists at most 50 problems, ``error_count`` all of them."""

    def __init__(self, errors: list[str], error_count: int) -> None:
        super().__init__(f"the codes file was rejected with {error_count} problem(s); nothing was imported")
        self.errors = errors
        self.error_count = error_count


def code_hash(code: str) -> str:
    return crypto().codes.digest("activation", code)


class _Problems:
    def __init__(self) -> None:
        self.messages: list[str] = []
        self.count = 0

    def add(self, message: str) -> None:
        self.count += 1
        if len(self.messages) < MAX_ERRORS_LISTED:
            self.messages.append(message)


def _read_codes(data: bytes, problems: _Problems) -> list[tuple[int, str]]:
    """(line number, code) for every code in the file; problems noted as found."""
    if len(data) > MAX_FILE_BYTES:
        problems.add(_("The file is larger than %(mb)d MB; split it into smaller files.", mb=MAX_FILE_BYTES >> 20))
        return []
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        problems.add(_("The file is not UTF-8 text. Save it as CSV UTF-8 and try again."))
        return []
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    columns = [cell.strip().casefold() for cell in header or []]
    if CODE_COLUMN not in columns:
        problems.add(_("Line 1: the header row must name a column “code”."))
        return []
    column = columns.index(CODE_COLUMN)
    codes = []
    for row in reader:
        if not any(cell.strip() for cell in row):
            continue
        code = row[column].strip() if column < len(row) else ""
        if not CODE_PATTERN.match(code):
            problems.add(
                _(
                    "Line %(line)d: not an activation code (1 to 64 letters, digits and . _ / + = : -).",
                    line=reader.line_num,
                )
            )
            continue
        codes.append((reader.line_num, code))
    if not codes and not problems.count:
        problems.add(_("The file has no codes under its header row."))
    return codes


def _check_duplicates(product_id: int, codes: list[tuple[int, str]], problems: _Problems) -> list[tuple[str, str]]:
    """(hash, code) for each code, after noting repeats within the file and codes already in the pool."""
    first_line: dict[str, int] = {}
    hashed = []
    for line, code in codes:
        digest = code_hash(code)
        if digest in first_line:
            problems.add(_("Line %(line)d: the same code as line %(first)d.", line=line, first=first_line[digest]))
            continue
        first_line[digest] = line
        hashed.append((digest, code))
    for digest in sorted(dao_find_existing_code_hashes(product_id, first_line), key=first_line.get):
        problems.add(_("Line %(line)d: this code is already in the pool.", line=first_line[digest]))
    return hashed


def import_activation_codes(product: MonitoringProduct, data: bytes, *, filename: str = "") -> CodeImportReport:
    """Add the file's codes to the product's pool, then serve its waiting list. Raises CodeImportRejected."""
    sha256 = hashlib.sha256(data).hexdigest()
    product_id = product.id
    problems = _Problems()
    hashed = _check_duplicates(product_id, _read_codes(data, problems), problems)
    if problems.count:
        _reject(product_id, problems, sha256, filename)
    cipher, aad, now = crypto().cipher, activation_code_aad(product_id), utcnow()
    try:
        dao_add_activation_codes(product_id, [(digest, cipher.encrypt(code, aad)) for digest, code in hashed], now)
        record_audit(
            AuditAction.ACTIVATION_CODES_IMPORTED,
            f"monitoring_product:{product_id}",
            details={"codes": len(hashed), "sha256": sha256, "file": filename},
        )
        db.session.commit()
    except IntegrityError:  # another import of overlapping codes committed between our check and insert
        db.session.rollback()
        problems.add(
            _(
                "Some of these codes were imported by someone else a moment ago. Nothing was imported "
                "from this file; upload it again to see which lines."
            )
        )
        _reject(product_id, problems, sha256, filename)
    return CodeImportReport(len(hashed), serve_waiting_list(product_id), sha256)


def _reject(product_id: int, problems: _Problems, sha256: str, filename: str) -> None:
    db.session.rollback()
    record_audit(
        AuditAction.ACTIVATION_CODES_REJECTED,
        f"monitoring_product:{product_id}",
        details={"problems": problems.count, "sha256": sha256, "file": filename},
    )
    db.session.commit()
    raise CodeImportRejected(problems.messages, problems.count)

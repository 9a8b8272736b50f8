"""Spreadsheet-safe CSV: the one place every CSV and XLSX writer makes its cells inert.

A spreadsheet runs a cell starting with ``=``, ``+``, ``-`` or ``@`` as a formula, and a tab or
line break can smuggle one in. It also splits a line on whatever its locale's list separator is:
a comma in English, a semicolon in most of Europe and Latin America, sometimes a tab or a pipe.
So ``Bob;=1+1`` opened with a semicolon separator is two cells, the second a formula. OWASP's
advice is a leading single quote; ``neutralise`` adds one at the start of the cell and after every
separator any spreadsheet may use (spaces between are skipped, as spreadsheets skip them).

Every cell of every CSV is also quoted (``csv_text``), so a separator inside a cell stays inside it
for a reader that honours quotes. Row producers neutralise each cell a person typed or that was
decrypted; cells the portal makes itself (references, statuses, dates, amounts) cannot need it.
"""

import re
from collections.abc import Iterable

CSV_BOM = "\ufeff"  # so Excel reads the UTF-8 (accents) right
DANGEROUS_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n")
SEPARATORS = (",", ";", "\t", "|", "\r", "\n")
# At the start, or right after a separator: optional spaces, then a character that starts a formula.
_RISK = re.compile(r"(?:^|(?<=[,;\t|\r\n]))[ \u00a0]*(?=[=+\-@\t\r\n])")


def neutralise(value):
    """A cell value no spreadsheet will execute, whatever its separator; non-text passes unchanged.

    Idempotent: a neutralised cell is returned as it is."""
    if not isinstance(value, str) or _RISK.search(value) is None:
        return value
    return _RISK.sub(_quote_mark, value)


def _quote_mark(match: re.Match) -> str:
    return match.group(0) + "'"


def csv_cell(value) -> str:
    """One cell, always quoted (``None`` is empty)."""
    text = "" if value is None else str(value)
    return '"' + text.replace('"', '""') + '"'


def csv_text(rows: Iterable[Iterable]) -> str:
    """Rows as CSV with every cell quoted and CRLF line ends: what ``csv.writer`` writes with
    ``QUOTE_ALL``. Cells are written as given: neutralise what needs it first."""
    return "".join(",".join(map(csv_cell, row)) + "\r\n" for row in rows)


class CsvLines:
    """``csv.writer``'s ``writerow`` for the small reports, writing ``csv_text``; ``text()`` is the file."""

    def __init__(self) -> None:
        self._parts: list[str] = []

    def writerow(self, row: Iterable) -> None:
        self._parts.append(csv_text([row]))

    def text(self) -> str:
        return "".join(self._parts)

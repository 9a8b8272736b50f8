"""CSV text for the exports, byte for byte what Python's ``csv`` module writes, and neutralisation.

A spreadsheet treats a cell starting with ``=``, ``+``, ``-`` or ``@`` as a formula, and one
starting with a tab or carriage return can smuggle one in; OWASP's CSV-injection advice is to
prefix a single quote, which ``neutralise`` does. The row producers neutralise each cell that
could start that way (what a person typed, what was decrypted); cells the export makes itself
(references, statuses, dates, amounts) cannot.

``csv_text`` formats a page of rows at once. Most rows need no quoting (no comma, double quote or
line break in any cell): for those ``csv.writer`` would write the cells joined with commas, so
that is what is written, without its per-cell work. Any other row goes through ``csv.writer``.
Tests compare the two on random cells.
"""

import csv
from collections.abc import Iterable

DANGEROUS_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
DANGEROUS_FIRST = frozenset(DANGEROUS_PREFIXES)
CSV_BOM = "\ufeff"  # so Excel reads the UTF-8 (accents) right


def neutralise(value):
    """A cell value that no spreadsheet will execute; non-text values pass through unchanged."""
    if isinstance(value, str) and value[:1] in DANGEROUS_FIRST:
        return "'" + value
    return value


class _Lines(list):
    """csv.writer's file: each row it writes becomes one item."""

    write = list.append


def csv_text(rows: Iterable[list[str]]) -> str:
    """Rows of text cells, already neutralised, as CSV with CRLF line ends (the ``excel`` dialect)."""
    lines = _Lines()
    writer = csv.writer(lines)
    append = lines.append
    for row in rows:
        line = ",".join(row)
        if line.count(",") != len(row) - 1 or '"' in line or "\n" in line or "\r" in line or len(row) < 2:
            writer.writerow(row)  # a cell needs quoting (or a lone empty cell): csv decides how
        else:
            append(line + "\r\n")
    return "".join(lines)

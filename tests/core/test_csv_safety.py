"""CSV cells are inert in a spreadsheet whatever its list separator, and every cell is quoted.

Cells used to be neutralised only at their first character and ``;`` was never quoted: opened
with a semicolon separator (most of Europe and Latin America), ``Bob;=1+1`` split into ``Bob``
and a formula cell.
"""

import csv
import io

import pytest

from portal.core.csv_safety import CSV_BOM, DANGEROUS_PREFIXES, SEPARATORS, CsvLines, csv_text, neutralise


def _cells_as_a_spreadsheet_splits_them(text: str, separator: str) -> list[str]:
    """What a spreadsheet that ignores the quotes sees: the line cut at every separator."""
    line = text.replace("\r\n", "\n")
    cells = []
    for part in line.split(separator):
        cells.append(part.strip().strip('"').lstrip())
    return cells


@pytest.mark.parametrize("separator", SEPARATORS)
@pytest.mark.parametrize("prefix", DANGEROUS_PREFIXES)
def test_a_formula_after_any_separator_is_neutralised(separator, prefix):
    value = neutralise(f"Bob{separator}{prefix}1+1")
    for cell in value.split(separator):
        assert not cell.lstrip(" ").startswith(DANGEROUS_PREFIXES) or cell == "", (separator, prefix, value)


def test_neutralising_keeps_the_text_and_is_idempotent():
    assert neutralise("Bob;=1+1") == "Bob;'=1+1"
    assert neutralise("Bob; =1+1") == "Bob; '=1+1"
    assert neutralise("=1+1") == "'=1+1"
    assert neutralise("Okafor-Smith, Amina") == "Okafor-Smith, Amina"
    for value in ("Bob;=1+1", "a,\t=b", "=x|@y\r\n-z"):
        once = neutralise(value)
        assert neutralise(once) == once
    assert neutralise(42) == 42 and neutralise(None) is None


def test_every_cell_is_quoted_and_reads_back_the_same():
    rows = [["ref", "Bob;=1+1", "", 'He said "hi"', "two\r\nlines", 7, None]]
    text = csv_text(rows)
    assert text == '"ref","Bob;=1+1","","He said ""hi""","two\r\nlines","7",""\r\n'
    assert list(csv.reader(io.StringIO(text))) == [["ref", "Bob;=1+1", "", 'He said "hi"', "two\r\nlines", "7", ""]]


def test_a_semicolon_spreadsheet_never_sees_a_formula_cell():
    text = csv_text([[neutralise("Bob;=1+1"), neutralise("x;+cmd|' /C calc'!A0")]])
    for separator in (";", ",", "\t", "|"):
        for cell in _cells_as_a_spreadsheet_splits_them(text, separator):
            assert not cell.startswith(("=", "+", "@")), (separator, cell)


@pytest.mark.parametrize("prefix", DANGEROUS_PREFIXES)
def test_neutralise_prefixes_every_dangerous_start(prefix):
    assert neutralise(f"{prefix}cmd") == f"'{prefix}cmd"
    assert neutralise("plain") == "plain" and neutralise("") == ""


@pytest.mark.parametrize("value", ["=1+1", "+SUM(A1)", "-2+3", "@SUM(A1)", "\tTAB", "\rCR", '=HYPERLINK("http://x")'])
def test_a_cell_a_person_typed_never_starts_a_formula(value):
    assert neutralise(value) == "'" + value


def test_a_leading_plus_in_a_phone_number_is_a_formula_to_a_spreadsheet():
    assert neutralise("+254700000000") == "'+254700000000"


def test_the_small_reports_writer_writes_what_csv_text_writes():
    writer = CsvLines()
    writer.writerow(["reference", neutralise("=cmd")])
    writer.writerow([1, None])
    assert writer.text() == csv_text([["reference", "'=cmd"], [1, None]])
    assert CSV_BOM == "\ufeff"

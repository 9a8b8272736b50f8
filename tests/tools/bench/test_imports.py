"""``flask dev bench import`` runs end to end on a tiny register (no timing asserted: speed goals are the bench's)."""

import csv

from portal.imports.validation import EXPOSURE_COLUMNS, PEOPLE_COLUMNS
from tools.bench.imports import generate_register


def test_the_generated_register_has_the_documented_columns(tmp_path):
    people, exposures = generate_register(tmp_path, 40)
    with (tmp_path / "people.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == [*PEOPLE_COLUMNS, "notice_code"] and len(rows) == people + 1 == 41
    assert 3 * 40 <= exposures <= 7 * 40
    with (tmp_path / "exposures.csv").open(newline="", encoding="utf-8") as handle:
        assert next(csv.reader(handle)) == list(EXPOSURE_COLUMNS)


def test_bench_compares_the_import_with_raw_sqlite(runner):
    result = runner.invoke(args=["dev", "bench", "import", "--people", "25"])
    assert result.exit_code == 0, result.output
    assert "Generated 25 people" in result.output
    assert "import:" in result.output and "raw:" in result.output and "ratio import/raw:" in result.output

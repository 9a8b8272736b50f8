"""``flask portal import``: exit codes and what it prints."""

import pytest

from portal.imports import cli
from tests.factories import make_incident
from tests.imports.registers import person, table_counts, write_exposures, write_people


@pytest.fixture
def files(app_ctx, tmp_path):
    make_incident(slug="vendor-breach-2026")
    people = write_people(tmp_path / "people.csv", [person("C-1"), person("C-2")])
    exposures = write_exposures(tmp_path / "exposures.csv", [("C-1", "payment", "", ""), ("C-2", "video", "", "")])
    return people, exposures


def run(runner, *args):
    return runner.invoke(args=["portal", "import", *map(str, args)])


def test_import_prints_the_counts(runner, files):
    result = run(runner, "--incident", "vendor-breach-2026", *files)
    assert result.exit_code == 0, result.output
    assert "people created:      2" in result.stdout and "exposures added:     2" in result.stdout
    again = run(runner, "--incident", "vendor-breach-2026", *files)
    assert "people created:      0" in again.stdout and "exposures added:     0" in again.stdout


def test_exposures_only(runner, files):
    people, exposures = files
    run(runner, "--incident", "vendor-breach-2026", people)
    result = run(runner, "--incident", "vendor-breach-2026", "--exposures-only", exposures)
    assert result.exit_code == 0, result.output
    assert "exposures added:     2" in result.stdout


def test_rejected_import_lists_every_problem_on_stderr_and_exits_1(runner, files, tmp_path):
    bad = write_people(tmp_path / "bad.csv", [person(f"C-{n}", country="XX") for n in range(60)])
    result = run(runner, "--incident", "vendor-breach-2026", bad)
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[0] == "bad.csv line 2: country: 'XX' is not an ISO 3166-1 alpha-2 country code"
    assert len([line for line in lines if line.startswith("bad.csv line")]) == 50
    assert "… and 10 more." in lines
    assert lines[-1] == "Import rejected: 60 problem(s). Nothing was imported."
    assert result.stdout == ""
    assert table_counts()["person"] == 0


def test_an_unknown_incident_exits_2_and_names_the_known_ones(runner, files):
    result = run(runner, "--incident", "no-such-thing", files[0])
    assert result.exit_code == 2
    assert "no incident has the slug 'no-such-thing'" in result.stderr
    assert "vendor-breach-2026" in result.stderr


def test_a_missing_file_exits_2_with_a_clear_message(runner, files, tmp_path):
    result = run(runner, "--incident", "vendor-breach-2026", tmp_path / "nope.csv")
    assert result.exit_code == 2
    assert "nope.csv" in result.stderr and "does not exist" in result.stderr


def test_no_file_at_all_is_a_usage_error(runner, files):
    result = run(runner, "--incident", "vendor-breach-2026")
    assert result.exit_code == 2 and "PEOPLE_CSV" in result.stderr


def test_exposures_only_cannot_be_mixed_with_positional_files(runner, files):
    people, exposures = files
    result = run(runner, "--incident", "vendor-breach-2026", "--exposures-only", exposures, people)
    assert result.exit_code == 2 and "not both" in result.stderr


def test_a_progress_bar_is_drawn_only_on_a_terminal(runner, files, monkeypatch):
    quiet = run(runner, "--incident", "vendor-breach-2026", *files)
    assert "Importing" not in quiet.output
    monkeypatch.setattr(cli, "_stdout_is_terminal", lambda: True)
    drawn = run(runner, "--incident", "vendor-breach-2026", *files)
    assert drawn.exit_code == 0, drawn.output
    assert "Importing" in drawn.stdout

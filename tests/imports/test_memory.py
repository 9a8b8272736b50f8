"""Memory grows neither with the rows nor with the people: a million-person register must fit as a small one.

Measured with tracemalloc's peak, in this process: it counts exactly the Python objects the import
makes, which is where a map of every person (or of every row) would live, and none of what earlier
tests left behind. The benchmark (tools/bench/data.py) reports the whole process's ru_maxrss.
"""

import tracemalloc

import pytest

from portal.core.taxonomy import load_taxonomy
from portal.imports.service import import_register
from tests.factories import make_incident
from tests.imports.registers import person, write_exposures, write_people

CATEGORIES = tuple(load_taxonomy())
CHUNK = 500
# 10,500 more people in the large register than in the small one: a map of contractor id → person
# id, line or code alone (~120 bytes a person) would add over 1.2 MB, and the import used to hold
# four of them. Peaks of the same import move by up to ~270 kB from run to run (a one-off cache
# fill, the garbage collector's timing: seen from -56 kB to +264 kB with 6,000 people), so the
# margin sits well above that and well below one map.
LARGE = 12_000
ALLOWED_GROWTH = 600_000


@pytest.fixture
def small_chunks(monkeypatch):
    """Chunks small enough that the small register below is many of them, so both sizes hold alike."""
    monkeypatch.setattr("portal.imports.writers.PEOPLE_CHUNK", CHUNK)
    monkeypatch.setattr("portal.imports.writers.EXPOSURE_CHUNK", CHUNK)


def _peak_while_importing(incident, people, exposures) -> int:
    tracemalloc.start()
    try:
        import_register(incident, people, exposures)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def _register(folder, prefix: str, count: int, categories: int = 3):
    contractor_ids = [f"{prefix}-{n}" for n in range(count)]
    pad = {"W": "B", "S": "C", "L": "D"}[prefix]  # a notice code for each, unique across the registers
    people = write_people(
        folder / f"{prefix}-people.csv",
        [person(cid, notice_code=f"{n:{pad}>12}") for n, cid in enumerate(contractor_ids)],
    )
    rows = [(cid, c, f"detail {c}", "2026-06-01") for cid in contractor_ids for c in CATEGORIES[:categories]]
    return people, write_exposures(folder / f"{prefix}-exposures.csv", rows)


def test_four_times_the_people_cost_no_more_memory(app_ctx, tmp_path, small_chunks):
    incident = make_incident()
    # Warm up: caches and compiled statements, and a register that is not empty (the look-up path).
    import_register(incident, *_register(tmp_path, "W", 300))
    small = _peak_while_importing(incident, *_register(tmp_path, "S", 1500))
    large = _peak_while_importing(incident, *_register(tmp_path, "L", LARGE))
    assert large - small < ALLOWED_GROWTH, (small, large)
    # Re-imports (everyone on file, nothing new: the look-up and compare path) likewise.
    small = _peak_while_importing(incident, tmp_path / "S-people.csv", tmp_path / "S-exposures.csv")
    large = _peak_while_importing(incident, tmp_path / "L-people.csv", tmp_path / "L-exposures.csv")
    assert large - small < ALLOWED_GROWTH, (small, large)


def test_four_times_the_exposure_rows_for_the_same_people_costs_no_more_memory(app_ctx, tmp_path, small_chunks):
    incident, other = make_incident(), make_incident(slug="other")
    people = [f"C-{n}" for n in range(1500)]
    import_register(incident, write_people(tmp_path / "people.csv", [person(cid) for cid in people]), None)
    few = write_exposures(
        tmp_path / "few.csv", [(cid, c, f"detail {c}", "2026-06-01") for cid in people for c in CATEGORIES[:3]]
    )
    many = write_exposures(
        tmp_path / "many.csv", [(cid, c, f"detail {c}", "2026-06-01") for cid in people for c in CATEGORIES]
    )
    small, large = _peak_while_importing(incident, None, few), _peak_while_importing(other, None, many)
    # 13,500 more rows: holding them (tuples and strings, ~200 bytes each) would add over 2.5 MB.
    assert large - small < 1_000_000, (small, large)

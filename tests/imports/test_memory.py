"""Memory grows with the number of people, never with the number of rows (a million-row file must fit)."""

import tracemalloc

from portal.imports.service import import_register
from tests.factories import make_incident
from tests.imports.registers import person, write_exposures, write_people

CATEGORIES = (
    "national_id",
    "id_document",
    "payment",
    "tax_form",
    "address",
    "contact",
    "date_of_birth",
    "video",
    "task_records",
    "communications",
    "resume",
    "credentials",
)


def _peak_while_importing(incident, exposures) -> int:
    tracemalloc.start()
    try:
        import_register(incident, None, exposures)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_four_times_the_exposure_rows_for_the_same_people_costs_no_more_memory(app_ctx, tmp_path, monkeypatch):
    monkeypatch.setattr("portal.imports.writers.EXPOSURE_CHUNK", 500)
    incident, other = make_incident(), make_incident(slug="other")
    people = [f"C-{n}" for n in range(1500)]
    import_register(incident, write_people(tmp_path / "people.csv", [person(cid) for cid in people]), None)
    few = write_exposures(
        tmp_path / "few.csv", [(cid, c, f"detail {c}", "2026-06-01") for cid in people for c in CATEGORIES[:3]]
    )
    many = write_exposures(
        tmp_path / "many.csv", [(cid, c, f"detail {c}", "2026-06-01") for cid in people for c in CATEGORIES]
    )
    small, large = _peak_while_importing(incident, few), _peak_while_importing(other, many)
    # 13,500 more rows: holding them (tuples and strings, ~200 bytes each) would add over 2.5 MB.
    assert large - small < 1_000_000, (small, large)

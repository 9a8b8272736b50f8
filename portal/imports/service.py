"""Importing the affected-person register: ``people.csv`` and ``exposures.csv``.

All or nothing: the whole import is one transaction. Rows are streamed and written in chunks;
at the first problem writing stops but checking goes on, so one run lists every problem (the
first 50, and how many in all), then everything is rolled back and ``ImportRejected`` raised.

Idempotent: people are upserted by contractor id, exposures by (person, incident, category), and
a row that says nothing new is not written, so importing the same files twice changes nothing.

Memory stays flat in the number of rows: the state kept is per person (contractor id → id, a
bitmask of categories seen), never per row. The CLI, the staff page, the demo data and the
benchmark all come through ``import_register``.
"""

from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import timedelta
from pathlib import Path

from portal.audit.chain import record_audit
from portal.constants import AuditAction
from portal.core.taxonomy import category_codes
from portal.core.time import utcnow
from portal.dao.imports import (
    dao_begin_register_import,
    dao_end_register_import,
    dao_get_all_person_ids,
    dao_get_max_person_id,
)
from portal.extensions import db
from portal.imports.exposure_rows import ExposureRowChecker
from portal.imports.reader import CsvSource
from portal.imports.validation import (
    EXPOSURE_COLUMNS,
    PEOPLE_COLUMNS,
    PEOPLE_OPTIONAL_COLUMNS,
    ErrorLog,
    PeopleRowChecker,
    check_header,
)
from portal.imports.writers import ExposureWriter, PeopleWriter
from portal.models import Incident
from portal.updates.service import alert_subscribers_of_new_exposures


@dataclass
class ImportReport:
    """What an import changed: counts only, never personal data."""

    people_created: int = 0
    people_updated: int = 0
    exposures_added: int = 0
    exposures_updated: int = 0
    notice_codes_added: int = 0


class ImportRejected(Exception):
    """The files had problems; nothing was written. ``errors`` lists at most 50, ``error_count`` all."""

    def __init__(self, errors: list[str], error_count: int) -> None:
        super().__init__(f"the import was rejected with {error_count} problem(s); nothing was imported")
        self.errors = errors
        self.error_count = error_count


def import_register(
    incident: Incident,
    people_file: Path | None,
    exposures_file: Path | None,
    *,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Import either file or both into ``incident``; commits, or rolls back and raises ImportRejected.

    ``progress`` is called with the number of bytes read since its previous call.
    """
    if people_file is None and exposures_file is None:
        raise ValueError("import_register needs a people file, an exposures file or both")
    run = _ImportRun(incident.id, progress)
    restore = dao_begin_register_import()
    try:
        run.last_old_person_id = dao_get_max_person_id()
        if people_file is not None:
            run.import_people(Path(people_file))
        if exposures_file is not None:
            run.import_exposures(Path(exposures_file), Path(people_file).name if people_file else None)
        if run.errors:
            raise ImportRejected(run.errors.messages, run.errors.count)
        record_audit(AuditAction.REGISTER_IMPORTED, f"incident:{incident.id}", details=run.audit_details())
        dao_end_register_import(restore)
        restore = None
        db.session.commit()
    except BaseException:
        dao_end_register_import(restore)  # nothing to do if it was already put back
        db.session.rollback()
        raise
    alert_subscribers_of_new_exposures(incident)  # after the commit: subscribers hear of new categories once
    return run.report


class _ImportRun:
    """The state of one import: its error log, counts and the per-person maps that link the two files."""

    def __init__(self, incident_id: int, progress: Callable[[int], None] | None) -> None:
        self.incident_id = incident_id
        self.progress = progress
        self.errors = ErrorLog()
        self.report = ImportReport()
        self.now = utcnow()
        # The latest date anywhere on Earth (UTC+14): "not in the future" must not reject a local today.
        self.today = (self.now + timedelta(days=1)).date()
        self.last_old_person_id = 0
        self.people_lines: dict[str, int] = {}
        self.people_unread = False  # the people file could not be read to the end
        self.files: dict[str, dict] = {}

    def import_people(self, path: Path) -> None:
        writer = PeopleWriter(self.incident_id, path.name, self.errors, self.now, self.last_old_person_id == 0)
        with CsvSource(path, self.errors, self.progress) as source:
            if source.header is not None and self._header_ok(source, PEOPLE_COLUMNS, PEOPLE_OPTIONAL_COLUMNS):
                checker = PeopleRowChecker(source.label, source.header, self.errors, self.today)
                for line, cells in source.rows():
                    record = checker.check(line, cells)
                    if record is not None:
                        writer.add(record)
                    else:  # still a known contractor, so their exposure rows are not reported as unknown too
                        writer.note_rejected_row(checker.contractor_id_of(cells), line)
                writer.flush()
        self.people_lines = writer.lines
        self.people_unread = not source.complete
        self.report.people_created, self.report.people_updated = writer.created, writer.updated
        self.report.notice_codes_added = writer.codes_added
        self._note_file("people", source)

    def import_exposures(self, path: Path, people_label: str | None) -> None:
        writer = ExposureWriter(self.incident_id, self.errors, self.last_old_person_id, self.now)
        with CsvSource(path, self.errors, self.progress) as source:
            if source.header is not None and self._header_ok(source, EXPOSURE_COLUMNS):
                checker = ExposureRowChecker(
                    source.label,
                    source.header,
                    self.errors,
                    self.today,
                    category_codes(),
                    self._person_ids(),
                    people_label or "",
                )
                # Whoever is in the unread part of the people file is unknown; don't report each as missing.
                checker.trust_unknown_contractors = self.people_unread
                # The hot loop of a million-row file: bound methods in locals, nothing else.
                check, add = checker.check, writer.add
                for line, cells in source.rows():
                    exposure = check(line, cells)
                    if exposure is not None:
                        add(exposure)
                writer.flush()
        self.report.exposures_added, self.report.exposures_updated = writer.added, writer.updated
        self._note_file("exposures", source)

    def _header_ok(self, source: CsvSource, required: tuple[str, ...], optional: tuple[str, ...] = ()) -> bool:
        problems = check_header(source.label, source.header_line, source.header, required, optional)
        for problem in problems:
            self.errors.add(problem)
        return not problems

    def _person_ids(self) -> dict[str, int]:
        """contractor id → person id, for everyone on file and in this import's people file.

        People from a rejected people file were never written; they get a negative stand-in id so
        their exposure rows are still checked (and nothing is written anyway).
        """
        person_ids = dao_get_all_person_ids()
        for contractor_id, line in self.people_lines.items():
            person_ids.setdefault(contractor_id, -line)
        self.people_lines = {}
        return person_ids

    def _note_file(self, kind: str, source: CsvSource) -> None:
        self.files[kind] = {"sha256": source.sha256, "rows": source.row_count}

    def audit_details(self) -> dict:
        """Counts and the files' SHA-256s: enough to prove what was imported, nothing personal."""
        return {**asdict(self.report), **{f"{kind}_file": info for kind, info in self.files.items()}}

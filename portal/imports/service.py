"""Importing the affected-person register: ``people.csv`` and ``exposures.csv``.

All or nothing: the whole import is one transaction. Rows are streamed and written in chunks;
at the first problem writing stops but checking goes on, so one run lists every problem (the
first 50, and how many in all), then everything is rolled back and ``ImportRejected`` raised.

Idempotent: people are upserted by contractor id, exposures by (person, incident, category), and
a row that says nothing new is not written, so importing the same files twice changes nothing.

Memory stays flat in the number of rows and of people: rows are checked and written a chunk at a
time, a chunk's contractor ids are looked up in the database (the register, and scratch tables of
what this import's people file held, ``portal/dao/imports.py``), and the only state that grows
with the register is 2 bytes a person (the categories seen, ``CategoriesSeen``). The CLI, the
staff page, the demo data and the benchmark all come through ``import_register``.
"""

import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import timedelta
from pathlib import Path

from portal.audit.chain import record_audit
from portal.constants import AuditAction
from portal.core.taxonomy import category_codes
from portal.core.time import utcnow
from portal.dao.imports import (
    dao_add_seen_contractors,
    dao_begin_register_import,
    dao_end_register_import,
    dao_get_max_person_id,
    dao_get_person_ids,
    dao_get_seen_contractor_lines,
    dao_lock_register_import,
)
from portal.extensions import db
from portal.imports import writers
from portal.imports.exposure_rows import ExposureRowChecker
from portal.imports.people_rows import PeopleRowChecker
from portal.imports.reader import CsvSource
from portal.imports.validation import (
    EXPOSURE_COLUMNS,
    PEOPLE_COLUMNS,
    PEOPLE_OPTIONAL_COLUMNS,
    ErrorLog,
    check_header,
)
from portal.imports.writers import ExposureWriter, PeopleWriter
from portal.models import Incident
from portal.updates.service import alert_subscribers_of_new_exposures

log = logging.getLogger(__name__)


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


class ImportBusy(ImportRejected):
    """Another import was still running after the wait; nothing was written."""

    def __init__(self) -> None:
        message = (
            "Another import is running (yours from another tab, or a colleague's); nothing was imported. "
            "Import again once it has finished: rows it already holds will not be written twice."
        )
        super().__init__([message], 1)


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
    if not dao_lock_register_import():
        raise ImportBusy()
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
        db.session.rollback()
        _put_back(restore)
        raise
    alert_subscribers_of_new_exposures(incident)  # after the commit: subscribers hear of new categories once
    return run.report


def _put_back(restore: int | None) -> None:
    """After a rejected or failed import: the connection as it was (its page cache, no scratch tables).

    After the rollback, not before: a DROP inside the transaction would be rolled back with the
    rest. The scratch tables are normally created inside it too (the lock began it), but if the
    caller's transaction had begun otherwise they may outlive it on SQLite's pooled connection."""
    try:
        dao_end_register_import(restore)  # nothing to do if it was already put back
        db.session.commit()
    except Exception:  # never instead of the import's own error; the next import empties them anyway
        db.session.rollback()
        log.warning("the import's scratch tables could not be dropped after it was rolled back", exc_info=True)


class _ImportRun:
    """The state of one import: its error log and counts; what links the two files is in the database."""

    def __init__(self, incident_id: int, progress: Callable[[int], None] | None) -> None:
        self.incident_id = incident_id
        self.progress = progress
        self.errors = ErrorLog()
        self.report = ImportReport()
        self.now = utcnow()
        # The latest date anywhere on Earth (UTC+14): "not in the future" must not reject a local today.
        self.today = (self.now + timedelta(days=1)).date()
        self.last_old_person_id = 0
        self.people_unread = False  # the people file could not be read to the end
        self.people_last_line = 0
        self.unknown_stand_ins = 0
        self.files: dict[str, dict] = {}

    def import_people(self, path: Path) -> None:
        writer = PeopleWriter(self.incident_id, path.name, self.errors, self.now, self.last_old_person_id == 0)
        with CsvSource(path, self.errors, self.progress) as source:
            if source.header is not None and self._header_ok(source, PEOPLE_COLUMNS, PEOPLE_OPTIONAL_COLUMNS):
                checker = PeopleRowChecker(source.label, source.header, self.errors, self.today)
                for rows in source.chunks(writers.PEOPLE_CHUNK):
                    writer.take(checker, rows)
                    self.people_last_line = rows[-1][0]
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
                    self._person_ids,
                    dao_get_max_person_id(),
                    people_label or "",
                )
                for rows in source.chunks(writers.EXPOSURE_CHUNK):
                    writer.write(checker.check_chunk(rows))
        self.report.exposures_added, self.report.exposures_updated = writer.added, writer.updated
        self._note_file("exposures", source)

    def _person_ids(self, contractor_ids: set[str]) -> dict[str, int]:
        """contractor id → person id for one chunk of exposure rows: people on file, then people of this file.

        People of this import's people file who were not written (writing stops at the first
        problem) get a negative stand-in id, minus the line they came on, so their exposure rows
        are still checked (and nothing is written anyway).
        """
        person_ids = dao_get_person_ids(contractor_ids)
        missing = contractor_ids.difference(person_ids)
        if missing:
            for contractor_id, line in dao_get_seen_contractor_lines(missing).items():
                person_ids[contractor_id] = -line
                missing.discard(contractor_id)
        if missing and self.people_unread:
            # Whoever is in the unread part of the people file is unknown; don't report each as missing.
            # Each gets a stand-in after the people file's lines, noted so later chunks find it too.
            stand_ins = []
            for contractor_id in sorted(missing):
                self.unknown_stand_ins += 1
                line = self.people_last_line + self.unknown_stand_ins
                person_ids[contractor_id] = -line
                stand_ins.append((contractor_id, line))
            dao_add_seen_contractors(stand_ins)
        return person_ids

    def _header_ok(self, source: CsvSource, required: tuple[str, ...], optional: tuple[str, ...] = ()) -> bool:
        problems = check_header(source.label, source.header_line, source.header, required, optional)
        for problem in problems:
            self.errors.add(problem)
        return not problems

    def _note_file(self, kind: str, source: CsvSource) -> None:
        self.files[kind] = {"sha256": source.sha256, "rows": source.row_count}

    def audit_details(self) -> dict:
        """Counts and the files' SHA-256s: enough to prove what was imported, nothing personal."""
        return {**asdict(self.report), **{f"{kind}_file": info for kind, info in self.files.items()}}

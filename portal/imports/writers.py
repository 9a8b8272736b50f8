"""Writing checked rows in chunks: look up what exists, encrypt, upsert.

Rows wait in a chunk of a few thousand so each database round trip carries many of them. After
the first error nothing more is written (the transaction will be rolled back anyway), but rows
go on being checked, including against the database, so the operator gets every problem at once.
"""

import json
from datetime import datetime

from portal.constants import NoticeCodeSource
from portal.crypto import DecryptionError, crypto, person_field_aad
from portal.crypto.bulk import PersonSealer
from portal.dao.imports import (
    dao_add_imported_notice_codes,
    dao_add_seen_codes,
    dao_add_seen_contractors,
    dao_db_timestamp,
    dao_get_exposures_of_people,
    dao_get_notice_code_owners,
    dao_get_people_for_import,
    dao_get_seen_code_lines,
    dao_get_seen_contractor_lines,
    dao_upsert_exposures,
    dao_upsert_people,
)
from portal.imports.people_rows import PeopleRowChecker, PersonRecord
from portal.imports.validation import ErrorLog, shown

PEOPLE_CHUNK = 2000
EXPOSURE_CHUNK = 5000
_ADDRESS_KEYS = ("line1", "line2", "city", "postal_code")


class PeopleWriter:
    """Upserts people by contractor id; adds the notice codes a letter vendor already printed."""

    def __init__(self, incident_id: int, label: str, errors: ErrorLog, now: datetime, register_was_empty: bool) -> None:
        self.incident_id = incident_id
        # The first import of a register finds nobody on file, and so no notice codes either (a code
        # belongs to a person): then there is nothing to look up, and the look-ups are skipped.
        self.register_was_empty = register_was_empty
        self.label = label
        self.errors = errors
        self.now = dao_db_timestamp(now)
        self.crypto = crypto()
        self.sealer = PersonSealer(self.crypto)
        self.created = self.updated = self.codes_added = 0

    def take(self, checker: PeopleRowChecker, rows: list[tuple[int, list[str]]]) -> None:
        """Check one chunk of rows in file order, then write the good ones.

        A contractor id or notice code given twice is found against this chunk (a dict) and the
        earlier chunks (the import's scratch tables, one query each), never a map of the whole
        file: the lines of earlier chunks are looked up before any row of this chunk is checked,
        so each problem is still reported at its row, in the order of the file.
        """
        contractor_ids = {checker.contractor_id_of(cells) for _line, cells in rows}
        contractor_ids.discard("")
        lines = dao_get_seen_contractor_lines(contractor_ids)
        hashes = self._code_hashes(checker, rows)
        code_lines = dao_get_seen_code_lines({code_hash[:32] for code_hash in hashes.values()}) if hashes else {}
        new_lines: dict[str, int] = {}  # this chunk's, to add to the scratch table
        new_code_lines: dict[str, int] = {}
        records: list[PersonRecord] = []
        for line, cells in rows:
            record = checker.check(line, cells)
            if record is None:  # still a known contractor, so their exposure rows are not reported as unknown too
                contractor_id = checker.contractor_id_of(cells)
                if contractor_id and contractor_id not in lines:
                    lines[contractor_id] = new_lines[contractor_id] = line
                continue
            contractor_id = record.contractor_id
            first = lines.setdefault(contractor_id, line)
            if first != line:
                repeated = shown(contractor_id, 64)
                self.errors.add(
                    f"{self.label} line {line}: contractor_id: {repeated} appears more than once "
                    f"(first on line {first})"
                )
                continue
            new_lines[contractor_id] = line
            if record.notice_code:
                # From here on only the keyed hash of the code is kept, never the code.
                code = record.notice_code
                record.notice_code = hashes.get(code) or self.sealer.notice_code_hash(code)
                key = record.notice_code[:32]
                first = code_lines.setdefault(key, line)
                if first != line:
                    self.errors.add(f"{self.label} line {line}: notice_code: the same code is on line {first}")
                    continue
                new_code_lines[key] = line
            records.append(record)
        dao_add_seen_contractors(list(new_lines.items()))
        dao_add_seen_codes(list(new_code_lines.items()))
        self._write(records)

    def _code_hashes(self, checker: PeopleRowChecker, rows: list[tuple[int, list[str]]]) -> dict[str, str]:
        """normalised notice code → its keyed hash, for the chunk's rows that give one."""
        if "notice_code" not in checker.index:
            return {}
        codes = {checker.notice_code_of(cells) for _line, cells in rows}
        codes.discard("")
        notice_code_hash = self.sealer.notice_code_hash
        return {code: notice_code_hash(code) for code in codes}

    def _write(self, chunk: list[PersonRecord]) -> None:
        if not chunk:
            return
        existing = {} if self.register_was_empty else dao_get_people_for_import(r.contractor_id for r in chunk)
        code_owners = {} if self.register_was_empty else self._check_code_owners(chunk, existing)
        if self.errors.count:
            return
        rows = []
        for record in chunk:
            current = existing.get(record.contractor_id)
            if current is None:
                rows.append(self._person_row(record, None))
                self.created += 1
            elif self._differs(record, current):
                rows.append(self._person_row(record, current.uid))
                self.updated += 1
        dao_upsert_people(rows)
        self._add_codes(chunk, code_owners)

    def _check_code_owners(self, chunk: list[PersonRecord], existing: dict) -> dict[str, int]:
        """code hash → person id for the chunk's codes already on file; reports codes owned by someone else."""
        hashes = [record.notice_code for record in chunk if record.notice_code]
        if not hashes:
            return {}
        owners = dao_get_notice_code_owners(hashes)
        for record in chunk:
            owner = owners.get(record.notice_code) if record.notice_code else None
            current = existing.get(record.contractor_id)
            if owner is not None and (current is None or owner != current.id):
                self.errors.add(
                    f"{self.label} line {record.line}: notice_code: this code already belongs to another person"
                )
        return owners

    def _add_codes(self, chunk: list[PersonRecord], owners: dict[str, int]) -> None:
        """Codes not yet on file, for people just written (the database finds them by contractor id)."""
        source, incident_id, now = NoticeCodeSource.IMPORT.value, self.incident_id, self.now
        rows = [
            (record.notice_code, record.contractor_id, incident_id, source, now)
            for record in chunk
            if record.notice_code and record.notice_code not in owners
        ]
        dao_add_imported_notice_codes(rows)
        self.codes_added += len(rows)

    def _person_row(self, record: PersonRecord, uid: str | None) -> tuple:
        """The values in ``PERSON_WRITE_COLUMNS`` order, sensitive ones encrypted and bound to the uid.

        A new person (``uid`` None) gets a random uid here; someone already on file keeps theirs,
        because their other records and audit entries name them by it.
        """
        sealer = self.sealer
        if uid is None:
            uid, nonces = sealer.new_uid_and_nonces()
        else:
            nonces = sealer.nonces()
        seal = sealer.seal
        return (
            uid,
            record.contractor_id,
            record.first_name,
            record.last_name,
            record.email,
            sealer.email_index(record.email),
            record.country,
            record.region,
            record.preferred_language,
            seal(uid, "phone", record.phone, nonces, 0),
            seal(uid, "address", record.address, nonces, 1),
            seal(uid, "date_of_birth", record.date_of_birth, nonces, 2),
            seal(uid, "national_id_last4", record.national_id_last4, nonces, 3),
            self.now,
            self.now,
        )

    def _differs(self, record: PersonRecord, current) -> bool:
        """True if the file says something new about this person (or their ciphertexts need re-encrypting)."""
        plain = (
            record.first_name,
            record.last_name,
            record.email,
            record.country,
            record.region,
            record.preferred_language,
        )
        if plain != (
            current.first_name,
            current.last_name,
            current.email,
            current.country,
            current.region,
            current.preferred_language,
        ):
            return True
        try:
            return (
                self._decrypted(current, "phone") != record.phone
                or _address_parts(self._decrypted(current, "address")) != _address_parts(record.address)
                or self._decrypted(current, "date_of_birth") != record.date_of_birth
                or self._decrypted(current, "national_id_last4") != record.national_id_last4
            )
        except DecryptionError:
            return True  # unreadable under today's keys: write it again

    def _decrypted(self, current, field: str) -> str:
        token = getattr(current, f"{field}_enc")
        if token is None:
            return ""
        cipher = self.crypto.cipher
        if cipher.needs_rotation(token):
            raise DecryptionError("written under an older key")  # re-encrypting rotates it
        return cipher.decrypt(token, person_field_aad(current.uid, field))


def _address_parts(address_json: str) -> tuple[str, ...]:
    parts = json.loads(address_json) if address_json else {}
    return tuple(parts.get(key) or "" for key in _ADDRESS_KEYS)


class ExposureWriter:
    """Adds or updates exposures; an unchanged exposure is not written at all."""

    def __init__(self, incident_id: int, errors: ErrorLog, last_old_person_id: int, now: datetime) -> None:
        self.incident_id = incident_id
        self.errors = errors
        # People with a higher id were created by this import, so cannot have an exposure yet.
        self.last_old_person_id = last_old_person_id
        self.now = dao_db_timestamp(now)
        self.added = self.updated = 0

    def write(self, chunk: list[tuple[int, str, str, str | None]]) -> None:
        """(person id, category, detail, exposed_at as YYYY-MM-DD or None) for one chunk of checked rows."""
        if not chunk or self.errors.count:
            return
        last_old = self.last_old_person_id
        old_people = {row[0] for row in chunk if row[0] <= last_old} if last_old else ()
        existing = dao_get_exposures_of_people(self.incident_id, old_people) if old_people else {}
        incident_id, now = self.incident_id, self.now
        if not existing:  # the usual case, a first import: every row is new
            self.added += len(chunk)
            dao_upsert_exposures(
                [
                    (person_id, incident_id, category, detail, exposed_at, now)
                    for person_id, category, detail, exposed_at in chunk
                ]
            )
            return
        rows = []
        for person_id, category, detail, exposed_at in chunk:
            before = existing.get((person_id, category))
            if before is None:
                self.added += 1
            elif before != (detail, exposed_at):
                self.updated += 1
            else:
                continue
            rows.append((person_id, incident_id, category, detail, exposed_at, now))
        dao_upsert_exposures(rows)

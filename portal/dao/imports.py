"""Queries for the register import: look-ups by chunk and bulk upserts.

Everything runs on the session's connection, so it shares the import's single transaction, and
uses Core statements on the tables rather than ORM objects: a million exposures as ORM objects
would cost gigabytes and minutes. Upserts use each dialect's ``INSERT … ON CONFLICT``.
"""

import json
import sqlite3
import time
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import bindparam, func, select, text

from portal.dao.sql import is_postgres, upsert_insert
from portal.extensions import db
from portal.models import Exposure, NoticeCode, Person

person_table = Person.__table__
exposure_table = Exposure.__table__
notice_code_table = NoticeCode.__table__

# Columns a re-import may change; uid and created_at never change once a person exists.
PERSON_UPDATABLE = (
    "first_name",
    "last_name",
    "email",
    "email_bidx",
    "country",
    "region",
    "preferred_language",
    "phone_enc",
    "address_enc",
    "date_of_birth_enc",
    "national_id_last4_enc",
    "updated_at",
)
PERSON_IMPORT_COLUMNS = ("id", "uid", "contractor_id", *PERSON_UPDATABLE[:-1])
_IMPORT_LOCK = 0x1A9_0E7  # any constant, the same for every importer
IMPORT_CACHE_KIB = 64 * 1024
# How long an import waits for one already running before it is refused.
IMPORT_LOCK_WAIT_SECONDS = 10.0
_LOCK_POLL_SECONDS = 0.1

# The import's scratch: what this import's people file held, kept in the database rather than in
# Python so the importer's memory does not grow with the register. Temporary tables, private to
# the import's connection, gone with its transaction (PostgreSQL) or dropped at its end (SQLite).
#   import_seen_contractor: each contractor id of the people file → the line it first came on
#     (rows rejected by the checks too), which finds a contractor id given twice, and gives an
#     exposure for someone of this file who was not written (writing stopped) a stand-in;
#   import_seen_code: the first 32 hex digits of each notice code's keyed hash → its line.
_SCRATCH_COLUMNS = {"import_seen_contractor": "contractor_id", "import_seen_code": "code_key"}


def dao_lock_register_import(wait_seconds: float | None = None) -> bool:
    """One import at a time, for the rest of the current transaction; False if another import
    still held it after ``wait_seconds`` (nothing was written, the session is rolled back).

    Two imports at once could both create the same contractor with different uids (PostgreSQL),
    and on SQLite the second one's snapshot goes stale under the first one's writes, which failed
    it with "database is locked" at once. PostgreSQL: a transaction-scoped advisory lock, tried
    until the deadline (a plain wait could outlast the web request). SQLite: the write lock taken
    before the first read (BEGIN IMMEDIATE), which waits busy_timeout (set to the wait for that
    one statement) for a writer to finish.
    """
    wait_seconds = IMPORT_LOCK_WAIT_SECONDS if wait_seconds is None else wait_seconds
    if is_postgres():
        deadline = time.monotonic() + wait_seconds
        while not db.session.execute(text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": _IMPORT_LOCK}).scalar():
            if time.monotonic() >= deadline:
                db.session.rollback()
                return False
            time.sleep(_LOCK_POLL_SECONDS)
        return True
    # On the driver's connection itself, so the usual busy_timeout is back on it before it can
    # return to the pool, whatever happens.
    sqlite = db.session.connection().connection.dbapi_connection
    if sqlite.in_transaction:
        return True  # this transaction has written already, so it holds the write lock
    usual = sqlite.execute("PRAGMA busy_timeout").fetchone()[0]
    sqlite.execute(f"PRAGMA busy_timeout = {int(wait_seconds * 1000)}")
    try:
        sqlite.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as refused:
        if "locked" not in str(refused).lower():
            raise
        got = False
    else:
        got = True
    finally:
        sqlite.execute(f"PRAGMA busy_timeout = {int(usual)}")
    if not got:
        db.session.rollback()
    return got


def dao_begin_register_import() -> int | None:
    """Get the database ready for a large import in the current transaction; returns what to restore.

    Call ``dao_lock_register_import`` first.

    SQLite: a 64 MiB page cache for this connection instead of the default 2 MiB. The person and
    notice-code indexes are keyed by random values (uid, blind index, code hash), so each insert
    lands on a random page; with the small cache most of those pages had to be read back, which
    made a 200,000-person import a quarter slower. The old size comes back at the end.
    """
    if is_postgres():
        for name, key in _SCRATCH_COLUMNS.items():
            db.session.execute(
                text(f"CREATE TEMP TABLE {name} ({key} text PRIMARY KEY, line integer NOT NULL) ON COMMIT DROP")
            )
        return None
    previous = db.session.execute(text("PRAGMA cache_size")).scalar()
    db.session.execute(text(f"PRAGMA cache_size = -{IMPORT_CACHE_KIB}"))
    for name, key in _SCRATCH_COLUMNS.items():
        # Not ON COMMIT DROP (SQLite has none): IF NOT EXISTS and DELETE, in case a rolled-back
        # import left the (then empty) table on this pooled connection.
        db.session.execute(
            text(
                f"CREATE TEMP TABLE IF NOT EXISTS {name} ({key} TEXT PRIMARY KEY, line INTEGER NOT NULL) WITHOUT ROWID"
            )
        )
        db.session.execute(text(f"DELETE FROM temp.{name}"))  # noqa: S608 - our table names
    return previous


def dao_end_register_import(previous: int | None) -> None:
    """Undo ``dao_begin_register_import`` before the connection goes back to the pool."""
    if previous is not None:
        db.session.execute(text(f"PRAGMA cache_size = {int(previous)}"))
        for name in _SCRATCH_COLUMNS:
            db.session.execute(text(f"DROP TABLE IF EXISTS temp.{name}"))


def dao_get_seen_contractor_lines(contractor_ids: Iterable[str]) -> dict[str, int]:
    """contractor_id → first line in this import's people file, for those of ``contractor_ids`` it held."""
    return _pairs("import_seen_contractor", "contractor_id", "line", contractor_ids)


def dao_get_seen_code_lines(code_keys: Iterable[str]) -> dict[str, int]:
    """code key → first line in this import's people file, for those of ``code_keys`` it held."""
    return _pairs("import_seen_code", "code_key", "line", code_keys)


def dao_get_person_ids(contractor_ids: Iterable[str]) -> dict[str, int]:
    """contractor_id → id for those of ``contractor_ids`` in the register (one exposure chunk's)."""
    return _pairs("person", "contractor_id", "id", contractor_ids)


def _pairs(table: str, key: str, value: str, wanted: Iterable[str]) -> dict[str, int]:
    """key → value for the rows of ``table`` whose key is one of ``wanted`` (thousands), by its index.

    The keys go as one parameter (an array; a JSON list on SQLite): an ``IN`` list of thousands of
    bound parameters cost SQLAlchemy ~50 ms a chunk to expand, more than the query itself.
    """
    wanted = list(wanted)
    if not wanted:
        return {}
    connection = db.session.connection()
    if is_postgres():
        statement = f"SELECT {key}, {value} FROM {table} WHERE {key} = ANY(%s)"  # noqa: S608 - our names
        rows = connection.exec_driver_sql(statement, (wanted,))
    else:
        statement = f"SELECT {key}, {value} FROM {table} WHERE {key} IN (SELECT value FROM json_each(?))"  # noqa: S608
        rows = connection.exec_driver_sql(statement, (json.dumps(wanted),))
    return dict(rows.fetchall())


def dao_add_seen_contractors(rows: list[tuple[str, int]]) -> None:
    """(contractor_id, line) pairs not yet in the scratch table."""
    _add_to_scratch("import_seen_contractor", ("contractor_id", "line"), rows)


def dao_add_seen_codes(rows: list[tuple[str, int]]) -> None:
    """(code key, line) pairs not yet in the scratch table."""
    _add_to_scratch("import_seen_code", ("code_key", "line"), rows)


def _add_to_scratch(table: str, columns: tuple[str, str], rows: list[tuple[str, int]]) -> None:
    if not rows:
        return
    connection = db.session.connection()
    if is_postgres():
        cursor = connection.connection.driver_connection.cursor()
        with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    connection.exec_driver_sql(f"INSERT INTO {table} ({', '.join(columns)}) VALUES (?, ?)", rows)  # noqa: S608


def dao_get_max_person_id() -> int:
    return db.session.scalar(select(func.max(person_table.c.id))) or 0


def dao_get_people_for_import(contractor_ids: Iterable[str]) -> dict[str, tuple]:
    """contractor_id → (id, uid, contractor_id, first_name, …, national_id_last4_enc) for those that exist."""
    columns = [person_table.c[name] for name in PERSON_IMPORT_COLUMNS]
    rows = db.session.execute(select(*columns).where(person_table.c.contractor_id.in_(list(contractor_ids))))
    return {row.contractor_id: row for row in rows}


def dao_get_notice_code_owners(code_hashes: Iterable[str]) -> dict[str, int]:
    """code_hash → person_id for the codes that already exist."""
    rows = db.session.execute(
        select(notice_code_table.c.code_hash, notice_code_table.c.person_id).where(
            notice_code_table.c.code_hash.in_(list(code_hashes))
        )
    )
    return {key: value for key, value in rows}


def dao_get_exposures_of_people(incident_id: int, person_ids: Iterable[int]) -> dict[tuple[int, str], tuple]:
    """(person_id, category) → (detail, exposed_at as YYYY-MM-DD or None) for those people in the incident."""
    rows = db.session.execute(
        select(
            exposure_table.c.person_id, exposure_table.c.category, exposure_table.c.detail, exposure_table.c.exposed_at
        ).where(exposure_table.c.incident_id == incident_id, exposure_table.c.person_id.in_(list(person_ids)))
    )
    return {
        (person_id, category): (detail, exposed_at.isoformat() if exposed_at else None)
        for person_id, category, detail, exposed_at in rows
    }


def _execute_many(statement, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """Run a Core statement for many rows of values already in database form.

    Why not ``connection.execute(statement, list_of_dicts)``: SQLAlchemy then builds and type-
    processes every row's parameters in Python, which made up half the import's time. Here the
    statement is compiled once and the rows go straight to the driver's ``executemany``; callers
    pass values the driver takes as they are (strings, ints, ISO dates, ``db_timestamp`` values).
    """
    if not rows:
        return
    connection = db.session.connection()
    compiled = statement.compile(dialect=connection.dialect, column_keys=list(columns), for_executemany=True)
    if compiled.positional:
        order = [columns.index(name) for name in compiled.positiontup]
        if order != list(range(len(columns))):
            rows = [tuple(row[i] for i in order) for row in rows]
        connection.exec_driver_sql(compiled.string, rows)
    else:
        connection.exec_driver_sql(compiled.string, [dict(zip(columns, row, strict=True)) for row in rows])


def _copy_to_stage(table: str, columns: tuple[str, ...], rows: list[tuple], like: str, extra: str = "") -> str:
    """COPY a chunk into a temporary table shaped like ``like`` (plus ``extra`` text columns); its name.

    On PostgreSQL a row-by-row ``executemany`` of the upsert cost three times a COPY of the same
    rows (docs/performance.md); COPY then one set-based statement per chunk does the same work in
    the same transaction, so all-or-nothing holds. The rows were checked before they got here, so
    no contractor id or (person, category) comes twice in one statement.
    """
    stage = f"import_stage_{table}"
    connection = db.session.connection()
    known = ", ".join(name for name in columns if name != extra)
    connection.exec_driver_sql(
        f"CREATE TEMP TABLE IF NOT EXISTS {stage} ON COMMIT DROP AS SELECT {known} FROM {like} WITH NO DATA"  # noqa: S608
    )
    if extra:
        connection.exec_driver_sql(f"ALTER TABLE {stage} ADD COLUMN IF NOT EXISTS {extra} text")
    connection.exec_driver_sql(f"TRUNCATE {stage}")
    cursor = connection.connection.driver_connection.cursor()
    with cursor.copy(f"COPY {stage} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
    return stage


def _copy_then(table: str, columns: tuple[str, ...], rows: list[tuple], conflict: str) -> None:
    """COPY the chunk to a stage, then one INSERT … SELECT … ON CONFLICT into ``table``."""
    if not rows:
        return
    stage = _copy_to_stage(table, columns, rows, like=table)
    names = ", ".join(columns)
    db.session.connection().exec_driver_sql(
        f"INSERT INTO {table} ({names}) SELECT {names} FROM {stage} {conflict}"  # noqa: S608 - our table names
    )


def dao_db_timestamp(moment: datetime):
    """``moment`` as the driver wants it for a UTCDateTime column (computed once per import, not per row)."""
    dialect = db.session.get_bind().dialect
    processor = person_table.c.created_at.type.dialect_impl(dialect).bind_processor(dialect)
    return processor(moment) if processor else moment


# The order of the values in the tuples the writers pass.
PERSON_WRITE_COLUMNS = (
    "uid",
    "contractor_id",
    "first_name",
    "last_name",
    "email",
    "email_bidx",
    "country",
    "region",
    "preferred_language",
    "phone_enc",
    "address_enc",
    "date_of_birth_enc",
    "national_id_last4_enc",
    "created_at",
    "updated_at",
)
EXPOSURE_WRITE_COLUMNS = ("person_id", "incident_id", "category", "detail", "exposed_at", "created_at")
NOTICE_CODE_WRITE_COLUMNS = ("code_hash", "contractor_id", "incident_id", "source", "created_at")


def dao_upsert_people(rows: list[tuple]) -> None:
    """Insert new people, update existing ones (matched by contractor_id), in one executemany."""
    if is_postgres():
        updates = ", ".join(f"{name} = excluded.{name}" for name in PERSON_UPDATABLE)
        _copy_then("person", PERSON_WRITE_COLUMNS, rows, "ON CONFLICT (contractor_id) DO UPDATE SET " + updates)
        return
    statement = upsert_insert(person_table)
    statement = statement.on_conflict_do_update(
        index_elements=[person_table.c.contractor_id],
        set_={name: statement.excluded[name] for name in PERSON_UPDATABLE},
    )
    _execute_many(statement, PERSON_WRITE_COLUMNS, rows)


def dao_add_imported_notice_codes(rows: list[tuple]) -> None:
    """Add codes for people already written in this transaction, naming each person by contractor id."""
    if is_postgres():
        stage = _copy_to_stage(
            "notice_code", NOTICE_CODE_WRITE_COLUMNS, rows, like="notice_code", extra="contractor_id"
        )
        insert_codes = (
            "INSERT INTO notice_code (code_hash, person_id, incident_id, source, created_at) "
            "SELECT s.code_hash, (SELECT p.id FROM person p WHERE p.contractor_id = s.contractor_id), "
            "s.incident_id, s.source, s.created_at FROM "
        )
        db.session.connection().exec_driver_sql(insert_codes + f"{stage} s")
        return
    person_id = select(person_table.c.id).where(person_table.c.contractor_id == bindparam("contractor_id"))
    statement = notice_code_table.insert().values(person_id=person_id.scalar_subquery())
    _execute_many(statement, NOTICE_CODE_WRITE_COLUMNS, rows)


def dao_upsert_exposures(rows: list[tuple]) -> None:
    """Add exposures, or update the detail and date of one already there (one per person, incident, category).

    ``exposed_at`` is an ISO ``YYYY-MM-DD`` string or None: what SQLite stores, and PostgreSQL casts.
    """
    if is_postgres():
        _copy_then(
            "exposure",
            EXPOSURE_WRITE_COLUMNS,
            rows,
            "ON CONFLICT (person_id, incident_id, category) DO UPDATE SET detail = excluded.detail, "
            "exposed_at = excluded.exposed_at",
        )
        return
    statement = upsert_insert(exposure_table)
    statement = statement.on_conflict_do_update(
        index_elements=[exposure_table.c.person_id, exposure_table.c.incident_id, exposure_table.c.category],
        set_={"detail": statement.excluded.detail, "exposed_at": statement.excluded.exposed_at},
    )
    _execute_many(statement, EXPOSURE_WRITE_COLUMNS, rows)

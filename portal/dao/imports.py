"""Queries for the register import: look-ups by chunk and bulk upserts.

Everything runs on the session's connection, so it shares the import's single transaction, and
uses Core statements on the tables rather than ORM objects: a million exposures as ORM objects
would cost gigabytes and minutes. Upserts use each dialect's ``INSERT … ON CONFLICT``.
"""

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import bindparam, func, select, text
from sqlalchemy.dialects import postgresql, sqlite

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


def _dialect_insert(table):
    name = db.session.get_bind().dialect.name
    if name == "postgresql":
        return postgresql.insert(table)
    if name == "sqlite":
        return sqlite.insert(table)
    raise NotImplementedError(f"the register import does not support {name}")


def dao_begin_register_import() -> int | None:
    """Get the database ready for a large import in the current transaction; returns what to restore.

    PostgreSQL: one import at a time (a transaction-scoped advisory lock), since two at once could
    both create the same contractor with different uids. SQLite lets one writer in at a time
    already, and a writer whose snapshot went stale fails rather than overwriting.

    SQLite: a 64 MiB page cache for this connection instead of the default 2 MiB. The person and
    notice-code indexes are keyed by random values (uid, blind index, code hash), so each insert
    lands on a random page; with the small cache most of those pages had to be read back, which
    made a 200,000-person import a quarter slower. The old size comes back at the end.
    """
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _IMPORT_LOCK})
        return None
    previous = db.session.execute(text("PRAGMA cache_size")).scalar()
    db.session.execute(text(f"PRAGMA cache_size = -{IMPORT_CACHE_KIB}"))
    return previous


def dao_end_register_import(previous: int | None) -> None:
    """Undo ``dao_begin_register_import`` before the connection goes back to the pool."""
    if previous is not None:
        db.session.execute(text(f"PRAGMA cache_size = {int(previous)}"))


def dao_get_max_person_id() -> int:
    return db.session.scalar(select(func.max(person_table.c.id))) or 0


def dao_get_people_for_import(contractor_ids: Iterable[str]) -> dict[str, tuple]:
    """contractor_id → (id, uid, contractor_id, first_name, …, national_id_last4_enc) for those that exist."""
    columns = [person_table.c[name] for name in PERSON_IMPORT_COLUMNS]
    rows = db.session.execute(select(*columns).where(person_table.c.contractor_id.in_(list(contractor_ids))))
    return {row.contractor_id: row for row in rows}


def dao_get_all_person_ids() -> dict[str, int]:
    """contractor_id → id for the whole register (about 100 bytes a person, so fine for millions)."""
    result = db.session.execute(
        select(person_table.c.contractor_id, person_table.c.id).execution_options(yield_per=10_000)
    )
    return {key: value for key, value in result}


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
    statement = _dialect_insert(person_table)
    statement = statement.on_conflict_do_update(
        index_elements=[person_table.c.contractor_id],
        set_={name: statement.excluded[name] for name in PERSON_UPDATABLE},
    )
    _execute_many(statement, PERSON_WRITE_COLUMNS, rows)


def dao_add_notice_codes(rows: list[tuple]) -> None:
    """Add codes for people already written in this transaction, naming each person by contractor id."""
    person_id = select(person_table.c.id).where(person_table.c.contractor_id == bindparam("contractor_id"))
    statement = notice_code_table.insert().values(person_id=person_id.scalar_subquery())
    _execute_many(statement, NOTICE_CODE_WRITE_COLUMNS, rows)


def dao_upsert_exposures(rows: list[tuple]) -> None:
    """Add exposures, or update the detail and date of one already there (one per person, incident, category).

    ``exposed_at`` is an ISO ``YYYY-MM-DD`` string or None: what SQLite stores, and PostgreSQL casts.
    """
    statement = _dialect_insert(exposure_table)
    statement = statement.on_conflict_do_update(
        index_elements=[exposure_table.c.person_id, exposure_table.c.incident_id, exposure_table.c.category],
        set_={"detail": statement.excluded.detail, "exposed_at": statement.excluded.exposed_at},
    )
    _execute_many(statement, EXPOSURE_WRITE_COLUMNS, rows)

"""SQL pieces the query modules share where SQLite and PostgreSQL spell a thing differently."""

import json

from sqlalchemy import ARRAY, Integer, any_, func, literal, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql import ColumnElement

from portal.extensions import db

# Ids per IN list when a caller has many: far below PostgreSQL's 65,535 parameters and SQLite's 32,766.
ID_CHUNK = 500


def is_postgres() -> bool:
    """Whether the session's database is PostgreSQL (production) rather than SQLite (development, tests)."""
    return db.session.get_bind().dialect.name == "postgresql"


def upsert_insert(table):
    """``INSERT`` with the dialect's ``ON CONFLICT`` clauses (``on_conflict_do_nothing/update``):
    both databases spell the upsert the same, but SQLAlchemy builds it per dialect."""
    return (postgresql.insert if is_postgres() else sqlite.insert)(table)


def bulk_rowcount(statement) -> int:
    """Run a bulk UPDATE or DELETE without syncing the session's objects; how many rows it changed."""
    return db.session.execute(statement.execution_options(synchronize_session=False)).rowcount or 0


def string_agg(column, separator: str) -> ColumnElement:
    """group_concat (SQLite) / string_agg (PostgreSQL): one string per group, in no promised order."""
    if is_postgres():
        return func.string_agg(column, literal(separator))
    return func.group_concat(column, literal(separator))


def dao_check_database() -> None:
    """Raises unless the database answers (the load balancer's health check)."""
    db.session.execute(text("SELECT 1"))


def id_in(column, ids: list[int]):
    """``column IN ids`` with the ids bound as ONE parameter: ``= ANY(array)`` on PostgreSQL, a JSON
    array on SQLite. ``IN (:id_1, …, :id_1000)`` costs SQLAlchemy more Python time than the query
    costs the database, and ``= ANY`` keeps PostgreSQL on the primary key even before it has
    statistics for a batch inserted a minute ago.
    """
    if is_postgres():
        return column == any_(literal(list(ids), ARRAY(Integer)))
    return column.in_(select(func.json_each(literal(json.dumps(list(ids)))).table_valued("value").c.value))

"""SQL pieces the query modules share where SQLite and PostgreSQL spell a thing differently."""

from sqlalchemy import func, literal
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql import ColumnElement

from portal.extensions import db


def is_postgres() -> bool:
    """Whether the session's database is PostgreSQL (production) rather than SQLite (development, tests)."""
    return db.session.get_bind().dialect.name == "postgresql"


def upsert_insert(table):
    """``INSERT`` with the dialect's ``ON CONFLICT`` clauses (``on_conflict_do_nothing/update``):
    both databases spell the upsert the same, but SQLAlchemy builds it per dialect."""
    return (postgresql.insert if is_postgres() else sqlite.insert)(table)


def string_agg(column, separator: str) -> ColumnElement:
    """group_concat (SQLite) / string_agg (PostgreSQL): one string per group, in no promised order."""
    if is_postgres():
        return func.string_agg(column, literal(separator))
    return func.group_concat(column, literal(separator))

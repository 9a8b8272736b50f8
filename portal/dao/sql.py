"""SQL pieces the query modules share where SQLite and PostgreSQL spell a thing differently."""

from sqlalchemy import func, literal
from sqlalchemy.sql import ColumnElement

from portal.extensions import db


def string_agg(column, separator: str) -> ColumnElement:
    """group_concat (SQLite) / string_agg (PostgreSQL): one string per group, in no promised order."""
    if db.session.get_bind().dialect.name == "postgresql":
        return func.string_agg(column, literal(separator))
    return func.group_concat(column, literal(separator))

"""Engine settings that depend on the database in use."""

from flask import Flask
from sqlalchemy import event

from portal.extensions import db

# Foreign keys are off by default in SQLite; WAL lets the web tier read during an import.
SQLITE_PRAGMAS = (
    "PRAGMA foreign_keys=ON",
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=NORMAL",
    "PRAGMA busy_timeout=10000",
)


def configure_engine_events(app: Flask) -> None:
    with app.app_context():
        engine = db.engine
    if engine.dialect.name == "postgresql":
        event.listen(engine, "connect", _postgresql_in_utc)
        return
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        for pragma in SQLITE_PRAGMAS:
            cursor.execute(pragma)
        cursor.close()


def _postgresql_in_utc(dbapi_connection, _record) -> None:
    """Every session in UTC, whatever the server's or the role's TimeZone says.

    Timestamps come back in the session's zone, and SQL's date() of a timestamp is taken in it:
    with a server set to, say, UTC+14, the audit chain's hashes (over each time's ISO text) no
    longer matched, unsubscribe links stopped working, and retention and audience dates moved by
    a day. The column type (portal/models/_types.py) also turns every value read into UTC.
    """
    autocommit = dbapi_connection.autocommit
    dbapi_connection.autocommit = True  # a SET outside any transaction lasts for the whole session
    try:
        dbapi_connection.execute("SET TIME ZONE 'UTC'")
    finally:
        dbapi_connection.autocommit = autocommit

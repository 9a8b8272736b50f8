"""The SQL floor of a send, for ``bench-send`` on SQLite: what the pipeline asked SQLite to do, alone.

Every statement the sender ran during the timed send (with its parameters) and every commit and
rollback is recorded: those of the thread that sends, and of any other thread its UPDATEs and
their commits (the posting thread's ``posting`` mark, committed right before each request). That
thread's reads end with a rollback, which must not be replayed into the sender's transaction.
The recorded steps are replayed, in order, through the ``sqlite3``
module on a copy of the database taken just before the send, with the app's own pragmas and
nothing else: no SQLAlchemy, no payloads, no posting. Its time is a floor under the pipeline's: a
sender that must run those statements cannot send faster, whatever its Python does. (The posting
thread or process also reads the batch's status once a chunk, 1,000 notices; that read is left
out.)
"""

import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import Engine

from portal.constants import NotificationStatus
from portal.core.db_setup import SQLITE_PRAGMAS

EXECUTE, EXECUTE_MANY, COMMIT, ROLLBACK = "execute", "executemany", "commit", "rollback"


@contextmanager
def recorded_statements(engine: Engine) -> Iterator[list[tuple]]:
    """Yields the list the statements this thread runs on ``engine`` (and its commits and rollbacks) go into."""
    steps: list[tuple] = []
    sender = threading.get_ident()
    writing = threading.local()  # another thread's UPDATE not yet committed

    def on_execute(_conn, _cursor, statement, parameters, _context, executemany):
        step = (EXECUTE_MANY if executemany else EXECUTE, statement, parameters)
        if threading.get_ident() == sender:
            steps.append(step)
        elif statement.lstrip().upper().startswith("UPDATE"):
            writing.pending = True
            steps.append(step)

    def on_commit(_conn):
        if threading.get_ident() == sender or getattr(writing, "pending", False):
            writing.pending = False
            steps.append((COMMIT,))

    def on_rollback(_conn):
        if threading.get_ident() == sender:
            steps.append((ROLLBACK,))

    listeners = (("before_cursor_execute", on_execute), ("commit", on_commit), ("rollback", on_rollback))
    for name, listener in listeners:
        event.listen(engine, name, listener)
    try:
        yield steps
    finally:
        for name, listener in listeners:
            event.remove(engine, name, listener)


def snapshot(database: Path, copy: Path) -> None:
    """A consistent copy of a (WAL-mode) SQLite database, through SQLite's backup API."""
    source, target = sqlite3.connect(database), sqlite3.connect(copy)
    try:
        source.backup(target)
    finally:
        source.close()
        target.close()


def replay(database: Path, steps: list[tuple]) -> float:
    """Seconds to run ``steps`` on ``database`` through the sqlite3 module, fetching every row."""
    connection = sqlite3.connect(database)
    try:
        for pragma in SQLITE_PRAGMAS:
            connection.execute(pragma)
        cursor = connection.cursor()
        started = time.perf_counter()
        for step in steps:
            if step[0] == EXECUTE:
                cursor.execute(step[1], step[2]).fetchall()
            elif step[0] == EXECUTE_MANY:
                cursor.executemany(step[1], step[2])
            elif step[0] == COMMIT:
                connection.commit()
            else:
                connection.rollback()
        connection.commit()
        return time.perf_counter() - started
    finally:
        connection.close()


def accepted_in_copy(copy: Path, batch_id: int) -> int:
    """How many of the batch's notifications the replay left accepted (all of them, if it replayed the send)."""
    connection = sqlite3.connect(copy)
    try:
        query = "SELECT count(*) FROM notification WHERE batch_id = ? AND status = ?"
        return connection.execute(query, (batch_id, NotificationStatus.ACCEPTED.value)).fetchone()[0]
    finally:
        connection.close()

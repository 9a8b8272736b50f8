"""Run a short transaction again when the database refuses it for reasons that pass.

PostgreSQL may pick a transaction as a deadlock victim (40P01) or refuse it under serialization
(40001); a connection may be dropped under us (a restarted server, ``pg_terminate_backend``);
SQLite answers "database is locked" while another process holds the write lock past
``busy_timeout``. None of these say the work is wrong, so the whole transaction is rolled back
and run again from the start on a fresh connection, a bounded number of times.
"""

import logging
import random
import time
from collections.abc import Callable
from typing import TypeVar

from flask import current_app
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from portal.extensions import db

log = logging.getLogger(__name__)
T = TypeVar("T")

RETRYABLE_SQLSTATES = {"40P01", "40001"}  # deadlock detected, serialization failure
# What the drivers say when the connection went away or SQLite's write lock stayed taken.
TRANSIENT_MESSAGES = ("database is locked", "server closed the connection", "terminating connection")
DEFAULT_ATTEMPTS = 6


def is_transient(exc: BaseException) -> bool:
    """True for a refusal worth retrying: deadlock, serialization failure, lost connection, SQLite busy."""
    if not isinstance(exc, DBAPIError):
        return False
    if exc.connection_invalidated:
        return True
    original = exc.orig
    if getattr(original, "sqlstate", None) in RETRYABLE_SQLSTATES:
        return True
    message = str(original).lower()
    return any(sign in message for sign in TRANSIENT_MESSAGES)


def run_transaction(work: Callable[[], T], *, attempts: int = DEFAULT_ATTEMPTS, what: str = "transaction") -> T:
    """``work()`` then commit; on a transient refusal roll back, wait a little and run it again.

    ``work`` must start from the database (no state carried over from a failed attempt). The
    last refusal is raised after ``attempts`` tries. Only the exception's class is logged: its
    message can hold SQL parameters, which may be personal data.
    """
    for attempt in range(1, attempts + 1):
        try:
            _bound_idle_time()
            result = work()
            db.session.commit()
            return result
        except DBAPIError as exc:
            _discard_session()
            if not is_transient(exc) or attempt == attempts:
                raise
            log.warning("%s refused (%s), attempt %d of %d", what, type(exc.orig).__name__, attempt, attempts)
            # Jitter so two victims of the same deadlock do not meet again in the same order.
            time.sleep(random.uniform(0.02, 0.1) * 2 ** min(attempt - 1, 5))  # noqa: S311  (timing jitter, not a secret)
    raise AssertionError("unreachable")


def _bound_idle_time() -> None:
    """On PostgreSQL, the server ends this transaction if its client goes quiet inside it for
    longer than DB_TRANSACTION_IDLE_SECONDS. A sender frozen mid-claim (SIGSTOP, a stalled VM)
    would otherwise hold its rows locked, and every other worker would skip them for ever."""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    seconds = current_app.config.get("DB_TRANSACTION_IDLE_SECONDS", 30)
    db.session.execute(text(f"SET LOCAL idle_in_transaction_session_timeout = {int(seconds * 1000)}"))


def _discard_session() -> None:
    """Roll back; a dead connection was invalidated, so the next try checks out a new one."""
    try:
        db.session.rollback()
    except DBAPIError:
        db.session.close()

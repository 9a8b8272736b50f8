"""run_transaction: a refused transaction is run again from the start, a bounded number of times."""

import sqlite3

import pytest
from sqlalchemy.exc import IntegrityError, OperationalError

from portal.core.db_retry import is_transient, run_transaction


def locked() -> OperationalError:
    return OperationalError("UPDATE notification …", {}, sqlite3.OperationalError("database is locked"))


class _Deadlock(Exception):
    sqlstate = "40P01"


def test_sqlite_busy_and_a_postgres_deadlock_are_worth_retrying_a_constraint_is_not(app_ctx):
    assert is_transient(locked())
    assert is_transient(OperationalError("UPDATE …", {}, _Deadlock("deadlock detected")))
    assert not is_transient(IntegrityError("INSERT …", {}, Exception("unique")))
    assert not is_transient(ValueError("not a database error"))


def test_a_transaction_refused_twice_runs_a_third_time(app_ctx):
    tries = []

    def work():
        tries.append(1)
        if len(tries) < 3:
            raise locked()
        return "done"

    assert run_transaction(work, attempts=4) == "done" and len(tries) == 3


def test_it_gives_up_after_the_last_attempt_and_never_retries_a_real_error(app_ctx):
    tries = []

    def always_locked():
        tries.append(1)
        raise locked()

    with pytest.raises(OperationalError):
        run_transaction(always_locked, attempts=2)
    assert len(tries) == 2

    def broken():
        tries.append(1)
        raise IntegrityError("INSERT …", {}, Exception("unique"))

    with pytest.raises(IntegrityError):
        run_transaction(broken, attempts=5)
    assert len(tries) == 3

"""No row values in the logs: PostgreSQL's error messages carry them, so they are cut from every record.

SQLAlchemy is told to hide a failed statement's parameters (``hide_parameters``), but PostgreSQL
puts the values in the message itself: ``DETAIL: Key (email)=(amina@example.org) already exists``,
``Failing row contains (17, Amina, Okafor, …)``, ``invalid input syntax for type integer: "…"``.
Flask logs an unhandled error's traceback, Celery a failed task's, our background threads theirs,
and each traceback ends with that message. So every log record made in the process passes through
a record factory that, when the record carries a database error (as its exception, anywhere in the
exception's chain, or among its arguments), writes the traceback and the message out with each
driver message replaced by what names no value: the error's class, its SQLSTATE and the table,
column and constraint it concerns.

SQLite's messages name the constraint or the column, never a value (``UNIQUE constraint failed:
person.contractor_id``), so they are left as they are.
"""

import logging
import traceback
from collections.abc import Iterator

import psycopg

_installed = False


def install_log_redaction() -> None:
    """Make every log record of this process go through the redaction (once, whoever calls)."""
    global _installed
    if _installed:
        return
    make_record = logging.getLogRecordFactory()

    def redacting_factory(*args, **kwargs) -> logging.LogRecord:
        record = make_record(*args, **kwargs)
        redact_record(record)
        return record

    logging.setLogRecordFactory(redacting_factory)
    _installed = True


def redact_record(record: logging.LogRecord) -> None:
    errors = [error for error in _errors_of(record) if str(error)]
    if not errors:
        return
    if record.exc_info and record.exc_info[1] is not None:
        record.exc_text = redacted("".join(traceback.format_exception(*record.exc_info)).rstrip("\n"), errors)
    try:
        message = record.getMessage()
    except (TypeError, ValueError):  # a malformed call: logging reports it when the record is written
        return
    safe = redacted(message, errors)
    if safe != message:
        record.msg, record.args = safe, ()


def redacted(text: str, errors: list[psycopg.Error]) -> str:
    for error in errors:
        text = text.replace(str(error), summary(error))
    return text


def summary(error: psycopg.Error) -> str:
    """What a database error is about, without the values PostgreSQL wrote into its message."""
    diag = error.diag
    parts = [f"SQLSTATE {error.sqlstate}" if error.sqlstate else "no SQLSTATE"]
    for name, value in (
        ("table", diag.table_name),
        ("column", diag.column_name),
        ("constraint", diag.constraint_name),
    ):
        if value:
            parts.append(f"{name} {value}")
    return f"{type(error).__name__} ({', '.join(parts)}; the server's message is not logged: it holds row values)"


def _errors_of(record: logging.LogRecord) -> Iterator[psycopg.Error]:
    seen: set[int] = set()
    roots = [record.exc_info[1]] if record.exc_info and record.exc_info[1] is not None else []
    args = record.args if isinstance(record.args, tuple) else (record.args,) if record.args else ()
    roots += [arg for arg in args if isinstance(arg, BaseException)]
    for root in roots:
        yield from _chain(root, seen)


def _chain(error: BaseException | None, seen: set[int]) -> Iterator[psycopg.Error]:
    """The psycopg errors in an exception, what caused it, and what it was raised while handling."""
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        original = getattr(error, "orig", None)  # SQLAlchemy's DBAPIError wraps the driver's error
        if isinstance(original, psycopg.Error):
            yield from _chain(original, seen)
        if isinstance(error, psycopg.Error):
            yield error
        if error.__context__ is not None and error.__cause__ is None:
            yield from _chain(error.__context__, seen)
        error = error.__cause__

"""One measured send on each database: the batch seeded afresh, the senders started the way
production starts them, ``dispatch_batch`` called, and ``measure`` (send.py) timing it."""

import contextlib
import os
from pathlib import Path

import psycopg
import redis

from tools.bench.send_celery import Workers, worker_env
from tools.bench.send_data import BenchError, bench_app, empty_database, seed_batch
from tools.bench.send_floor import accepted_in_copy, recorded_statements, replay, snapshot
from tools.bench.send_probe import descendants, install
from tools.bench.targets import DEFAULT_PG_URL, fresh_postgres, libpq_url

BROKER_DB = 15  # shifted by BENCH_REDIS_DB_OFFSET (or TEST_REDIS_DB_OFFSET); flushed by each run


def pending(batch_id: int) -> int:
    from portal.constants import NotificationStatus as S
    from portal.extensions import db
    from portal.sending.service import batch_status_counts

    db.session.rollback()  # a fresh snapshot each time
    counts = batch_status_counts(batch_id)
    left = {s: n for s, n in counts.items() if n and s != S.ACCEPTED}
    if set(left) - {S.QUEUED, S.SENDING, S.POSTING}:
        raise BenchError(f"notifications that did not go through: {left}")
    return sum(left.values())


def run_sqlite(folder: Path, notices: int, sendgrid_url: str, settings: dict, measure, groups, floor: bool = False):
    """SQLite: the in-process sender, as the thread engine runs it (here inline, in this thread)."""
    from portal.extensions import db
    from portal.sending.service import dispatch_batch

    database = folder / "bench.sqlite3"
    claims = folder / "claims-sqlite"
    claims.mkdir()
    app = bench_app(f"sqlite:///{database}", sendgrid_url, SENDING_ENGINE="inline", **settings)
    with app.app_context():
        empty_database()
        batch_id = seed_batch(notices, status="approved")
        install(claims)
        copy = folder / "floor.sqlite3"
        if floor:
            snapshot(database, copy)
        with recorded_statements(db.engine) if floor else contextlib.nullcontext([]) as steps:
            result = measure(
                "SQLite, in-process sender",
                notices,
                sendgrid_url,
                claims,
                groups,
                lambda: dispatch_batch(batch_id),
                lambda: pending(batch_id) == 0,
            )
        db.session.remove()
        db.engine.dispose()
    if floor:
        seconds = replay(copy, steps)
        if accepted_in_copy(copy, batch_id) != notices:
            raise BenchError("replaying the sender's statements did not send everything")
        result.notes.append(
            f"  SQL floor (the sender's statements replayed alone through sqlite3): {notices / seconds:,.0f} notices/s"
        )
    return result


def postgres_url() -> str | None:
    """BENCH_PG_URL, if its server answers (the database itself is dropped and created per run)."""
    url = os.environ.get("BENCH_PG_URL", DEFAULT_PG_URL)
    try:
        psycopg.connect(libpq_url(url.rsplit("/", 1)[0] + "/postgres"), connect_timeout=3).close()
    except psycopg.OperationalError:
        return None
    return url


def broker_url() -> str:
    offset = int(os.environ.get("BENCH_REDIS_DB_OFFSET", os.environ.get("TEST_REDIS_DB_OFFSET", "0")))
    return f"redis://127.0.0.1:6379/{BROKER_DB + offset}"


def run_postgres(folder: Path, notices, sendgrid_url, settings, measure, groups, count: int, concurrency: int):
    """PostgreSQL: ``count`` Celery workers on a freshly seeded batch; None if the server does not answer."""
    from portal.sending.service import dispatch_batch

    url = postgres_url()
    if url is None:
        return None
    fresh_postgres(url)
    claims = folder / f"claims-pg-{count}"
    claims.mkdir()
    broker = broker_url()
    redis.Redis.from_url(broker).flushdb()
    app = bench_app(url, sendgrid_url, CELERY_BROKER_URL=broker, **settings)
    with app.app_context():
        empty_database()
        batch_id = seed_batch(notices, status="approved")
        with psycopg.connect(libpq_url(url), autocommit=True) as connection:
            connection.execute("VACUUM ANALYZE")  # what autovacuum would have done after the approval
        workers = Workers(worker_env(url, sendgrid_url, broker, claims, **settings), folder, concurrency)
        try:
            workers.start(count)
            with psycopg.connect(libpq_url(url), autocommit=True) as watcher:

                def backends() -> list[int]:
                    query = "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
                    query += " AND pid <> pg_backend_pid()"
                    return [row[0] for row in watcher.execute(query)]

                def worker_pids() -> list[int]:
                    return [pid for parent in workers.pids for pid in descendants(parent)]

                label = f"PostgreSQL, {count} Celery worker{'s' if count > 1 else ''}"
                if concurrency > 1:
                    label += f" x {concurrency} pool processes"
                return measure(
                    label,
                    notices,
                    sendgrid_url,
                    claims,
                    {"workers": worker_pids, "PostgreSQL (this database)": backends} | groups,
                    lambda: dispatch_batch(batch_id),
                    lambda: pending(batch_id) == 0,
                )
        except BenchError as error:
            raise BenchError(f"{error}\n{workers.log_tail()}") from None
        finally:
            workers.stop()
            from portal.extensions import db

            db.session.remove()
            db.engine.dispose()

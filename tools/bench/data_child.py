# ruff: noqa: S608 - every name in the SQL here is one of our own tables or columns, never input
"""One side of one data benchmark, in a process of its own so its peak memory is its own.

``python -m tools.bench.data_child <side> <json>`` prints one JSON line: wall and CPU seconds,
rows and peak memory (``ru_maxrss``) of the timed work. The sides:

* ``import`` / ``reimport``: the portal's ``import_register`` (a fresh database / the same one again);
  the first also dumps the rows it wrote (people, notice codes, exposures: encrypted and hashed)
  for the baseline, after its figures are taken;
* ``load`` / ``reload``: the baseline: those very rows loaded into the same indexed tables by
  ``COPY`` (PostgreSQL) or ``executemany`` (SQLite); the reload is one set-based upsert per table;
* ``export``: the portal's claimant export job, CSV, one process (EXPORT_WORKERS=1);
* ``export_raw``: the baseline: the same joined rows (claims, people, incident, benefit sums,
  categories, fraud signals) read through the plainest path (a server-side cursor on PostgreSQL, a
  plain cursor on SQLite), the same cells decrypted with the same keys, written with ``csv``.
"""

import csv
import json
import logging
import os
import pickle
import resource
import sqlite3
import sys
import time
from binascii import a2b_base64
from datetime import date
from pathlib import Path

import psycopg

from tools.bench.targets import fresh_postgres, libpq_url

TABLES = ("person", "notice_code", "exposure")
UPSERT_KEYS = {"person": "contractor_id", "notice_code": "code_hash", "exposure": "person_id, incident_id, category"}
CHUNK = 5000


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _app(url: str, secrets: dict, **config):
    from portal import create_app

    app = create_app({"PORTAL_ENV": "testing", "SQLALCHEMY_DATABASE_URI": url, **secrets, **config})
    logging.disable(logging.INFO)
    return app


def _fresh_schema(url: str, secrets: dict):
    """A new database built by the real migrations, with the benchmark's incident (id 1)."""
    import flask_migrate

    from portal.extensions import db
    from portal.models import Incident

    if url.startswith("postgresql"):
        fresh_postgres(url)
    else:
        Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)
    app = _app(url, secrets)
    with app.app_context():
        flask_migrate.upgrade()
        db.session.add(Incident(slug="bench", title="Benchmark", discovered_on=date(2026, 10, 1), published=True))
        db.session.commit()
        db.engine.dispose()
    return app


def side_import(url: str, secrets: dict, folder: Path, fresh: bool) -> dict:
    from portal.extensions import db
    from portal.imports.service import import_register
    from portal.models import Incident

    app = _fresh_schema(url, secrets) if fresh else _app(url, secrets)
    with app.app_context():
        incident = db.session.get(Incident, 1)
        started, cpu = time.perf_counter(), _cpu()
        report = import_register(incident, folder / "people.csv", folder / "exposures.csv")
        seconds, cpu = time.perf_counter() - started, _cpu() - cpu
        peak = _peak_mb()
        if fresh:
            _dump_written(url, folder)
    return {"seconds": seconds, "cpu": cpu, "peak_mb": peak, "report": _report(report)}


def _report(report) -> dict:
    return {name: value for name, value in vars(report).items() if isinstance(value, int)}


def _dump_written(url: str, folder: Path) -> None:
    """The rows the import wrote, as the driver returns them, for the baseline to load."""
    from portal.extensions import db

    with (folder / f"written-{_kind(url)}.pickle").open("wb") as handle:
        for table in TABLES:
            columns = [column.name for column in db.metadata.tables[table].columns]
            pickle.dump((table, columns), handle)
            result = db.session.connection().exec_driver_sql(f"SELECT {', '.join(columns)} FROM {table} ORDER BY id")
            while rows := result.cursor.fetchmany(CHUNK):
                pickle.dump([tuple(row) for row in rows], handle)
            pickle.dump(None, handle)


def _kind(url: str) -> str:
    return "postgresql" if url.startswith("postgresql") else "sqlite"


def _written(folder: Path, url: str):
    """(table, columns, chunks) for each table, streamed from the dump: memory stays one chunk."""
    with (folder / f"written-{_kind(url)}.pickle").open("rb") as handle:
        while True:
            try:
                table, columns = pickle.load(handle)  # noqa: S301 - the file this run wrote
            except EOFError:
                return

            def chunks(handle=handle):
                while (chunk := pickle.load(handle)) is not None:  # noqa: S301 - this run's own file
                    yield chunk

            yield table, columns, chunks()


def side_load(url: str, secrets: dict, folder: Path, fresh: bool) -> dict:
    if fresh:
        _fresh_schema(url, secrets)
    started, cpu = time.perf_counter(), _cpu()
    rows = _load_postgres(url, folder, fresh) if url.startswith("postgresql") else _load_sqlite(url, folder, fresh)
    return {"seconds": time.perf_counter() - started, "cpu": _cpu() - cpu, "peak_mb": _peak_mb(), "rows": rows}


def _upsert_sql(table: str, columns: list[str], source: str) -> str:
    names = [c for c in columns if c != "id"]
    keys = [k.strip() for k in UPSERT_KEYS[table].split(",")]
    updates = ", ".join(f"{c} = excluded.{c}" for c in names if c not in keys and c != "created_at")
    action = f"DO UPDATE SET {updates}" if table != "notice_code" else "DO NOTHING"
    return f"INSERT INTO {table} ({', '.join(names)}) {source} ON CONFLICT ({UPSERT_KEYS[table]}) {action}"


def _load_postgres(url: str, folder: Path, fresh: bool) -> int:
    counted = 0
    with psycopg.connect(libpq_url(url)) as connection, connection.cursor() as cursor:
        for table, columns, chunks in _written(folder, url):
            target = table if fresh else f"staging_{table}"
            if not fresh:
                cursor.execute(f"CREATE TEMP TABLE {target} (LIKE {table} INCLUDING DEFAULTS) ON COMMIT DROP")
            with cursor.copy(f"COPY {target} ({', '.join(columns)}) FROM STDIN") as copy:
                for chunk in chunks:
                    for row in chunk:
                        copy.write_row(row)
                    counted += len(chunk) if table != "notice_code" else 0
            if not fresh:
                names = ", ".join(c for c in columns if c != "id")
                cursor.execute(_upsert_sql(table, columns, f"SELECT {names} FROM {target} WHERE true"))
        connection.commit()
    return counted


def _load_sqlite(url: str, folder: Path, fresh: bool) -> int:
    from portal.dao.imports import IMPORT_CACHE_KIB

    connection = sqlite3.connect(url.removeprefix("sqlite:///"))
    # portal/core/db_setup.py's PRAGMAs and the import's page cache: the same footing as the import.
    for pragma in ("foreign_keys=ON", "journal_mode=WAL", "synchronous=NORMAL", f"cache_size=-{IMPORT_CACHE_KIB}"):
        connection.execute(f"PRAGMA {pragma}")
    counted = 0
    for table, columns, chunks in _written(folder, url):
        marks = ", ".join("?" for _ in columns)
        if fresh:
            statement = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"
        else:
            names = [c for c in columns if c != "id"]
            statement = _upsert_sql(table, columns, f"VALUES ({', '.join('?' for _ in names)})")
        for chunk in chunks:
            connection.executemany(statement, chunk if fresh else [row[1:] for row in chunk])
            counted += len(chunk) if table != "notice_code" else 0
    connection.commit()
    connection.close()
    return counted


def side_export(url: str, secrets: dict, folder: Path) -> dict:
    from portal.constants import ExportStatus
    from portal.extensions import db
    from portal.legal.jobs import build_export
    from portal.models import ExportJob

    os.environ["PORTAL_INSTANCE_PATH"] = str(folder / "instance")
    app = _app(url, secrets, SENDING_ENGINE="inline", EXPORT_WORKERS=1, EXPORT_POOL_MIN_ROWS=0)
    with app.app_context():
        job = ExportJob(kind="claimants", file_format="csv", filters="{}", include_payment_details=False,
                        status=ExportStatus.QUEUED, requested_by_id=1)  # fmt: skip
        db.session.add(job)
        db.session.commit()
        started, cpu = time.perf_counter(), _cpu()
        job = build_export(job.id)
        seconds, cpu = time.perf_counter() - started, _cpu() - cpu
        if job.status != ExportStatus.READY:
            raise SystemExit(f"export failed: {job.error}")
        return {"seconds": seconds, "cpu": cpu, "peak_mb": _peak_mb(), "rows": job.rows_written}


EXPORT_SQL = """
SELECT c.id, c.reference, c.status, c.payment_method, c.submitted_at, c.decided_at, c.attestation_name, i.slug,
       p.uid, p.contractor_id, p.first_name, p.last_name, p.email, p.phone_enc, p.address_enc, p.country, p.region,
       b.kinds, b.out_of_pocket, b.lost_time, b.hours, b.total, e.categories, f.signals
FROM claim c
JOIN person p ON p.id = c.person_id
JOIN incident i ON i.id = c.incident_id
LEFT JOIN (SELECT claim_id, {agg}(kind, ',') AS kinds,
                  SUM(CASE WHEN kind = 'out_of_pocket' THEN amount_cents ELSE 0 END) AS out_of_pocket,
                  SUM(CASE WHEN kind = 'lost_time' THEN amount_cents ELSE 0 END) AS lost_time,
                  SUM(CASE WHEN kind = 'lost_time' THEN hours ELSE 0 END) AS hours,
                  SUM(amount_cents) AS total
           FROM claim_benefit GROUP BY claim_id) b ON b.claim_id = c.id
LEFT JOIN (SELECT person_id, incident_id, {agg}(category, ',') AS categories
           FROM exposure GROUP BY person_id, incident_id) e
       ON e.person_id = c.person_id AND e.incident_id = c.incident_id
LEFT JOIN (SELECT claim_id, {agg}(kind || ': ' || detail, '; ') AS signals
           FROM fraud_signal GROUP BY claim_id) f ON f.claim_id = c.id
WHERE c.status <> 'draft'
ORDER BY c.id
"""


def side_export_raw(url: str, secrets: dict, folder: Path) -> dict:
    from portal.crypto import parse_key_ring

    _current, ring = parse_key_ring(secrets["FIELD_ENCRYPTION_KEYS"])

    def open_cell(token, aad):
        if not token:
            return ""
        kid, _, body = token.partition(".")
        sealed = a2b_base64(body)
        return ring[kid].decrypt(sealed[:12], sealed[12:], aad.encode()).decode()

    started, cpu = time.perf_counter(), _cpu()
    rows = 0
    with (folder / "raw.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        for row in _export_rows(url):
            uid = row[8]
            phone = open_cell(row[13], f"person:{uid}:phone")
            address = json.loads(open_cell(row[14], f"person:{uid}:address") or "{}")
            writer.writerow(
                (*row[1:13], phone, address.get("line1", ""), address.get("line2", ""), address.get("city", ""),
                 address.get("postal_code", ""), *row[15:])
            )  # fmt: skip
            rows += 1
    return {"seconds": time.perf_counter() - started, "cpu": _cpu() - cpu, "peak_mb": _peak_mb(), "rows": rows}


def _export_rows(url: str):
    if url.startswith("postgresql"):
        with psycopg.connect(libpq_url(url)) as connection, connection.cursor(name="export") as cursor:
            cursor.itersize = 2000
            cursor.execute(EXPORT_SQL.format(agg="string_agg"))
            yield from cursor
    else:
        connection = sqlite3.connect(url.removeprefix("sqlite:///"))
        yield from connection.execute(EXPORT_SQL.format(agg="group_concat"))
        connection.close()


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


SIDES = {
    "import": lambda a: side_import(a["url"], a["secrets"], Path(a["folder"]), True),
    "reimport": lambda a: side_import(a["url"], a["secrets"], Path(a["folder"]), False),
    "load": lambda a: side_load(a["url"], a["secrets"], Path(a["folder"]), True),
    "reload": lambda a: side_load(a["url"], a["secrets"], Path(a["folder"]), False),
    "export": lambda a: side_export(a["url"], a["secrets"], Path(a["folder"])),
    "export_raw": lambda a: side_export_raw(a["url"], a["secrets"], Path(a["folder"])),
}

if __name__ == "__main__":
    print(json.dumps(SIDES[sys.argv[1]](json.loads(sys.argv[2]))))

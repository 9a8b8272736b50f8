"""The register import and the claimant export, each beside a same-work baseline, on each database.

Import: a generated register (people.csv, exposures.csv; about five exposures a person) imported
by the portal into a fresh database (first import) and then again (re-import: the upsert path);
the baseline loads the very rows the first import wrote, already encrypted and hashed, into the
same indexed tables: ``COPY`` on PostgreSQL, ``executemany`` on SQLite, and for the re-import the
same rows again through one set-based upsert per table.

Export: N claimants (tools/bench/exports.py's generator), exported to CSV by the portal's job in
one process; the baseline reads the same joined rows through the plainest path and decrypts the
same cells with the same keys (tools/bench/data_child.py).

Every side runs in a process of its own (its peak memory is its own); rounds interleave the sides
so a busy machine slows both alike; medians of each round's ratio are printed.
"""

import json
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg

from portal.config import generate_secrets
from tools.bench.imports import generate_register
from tools.bench.targets import Target, libpq_url, targets

EXPORT_TABLES = ("incident", "staff_user", "person", "exposure", "claim", "claim_benefit", "fraud_signal")


def child(side: str, target: Target, secrets: dict, folder: Path) -> dict:
    arguments = json.dumps({"url": target.url, "secrets": secrets, "folder": str(folder)})
    proc = subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "tools.bench.data_child", side, arguments], capture_output=True, text=True, check=False
    )
    if proc.returncode != 0:
        raise SystemExit(f"{side} on {target.name} failed:\n{proc.stderr[-4000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def line(label: str, rows: int, results: list[dict]) -> str:
    seconds = statistics.median(r["seconds"] for r in results)
    cpu = statistics.median(r["cpu"] for r in results)
    peak = max(r["peak_mb"] for r in results)
    return (
        f"    {label:34} {rows / seconds:>9,.0f} rows/s  {rows / cpu:>9,.0f} rows/CPU s  "
        f"{seconds:7.1f} s  peak {peak:4.0f} MB"
    )


def ratios(label: str, ours: list[dict], baseline: list[dict], goal: str) -> str:
    wall = statistics.median(b["seconds"] / o["seconds"] for o, b in zip(ours, baseline, strict=True))
    cpu = statistics.median(b["cpu"] / o["cpu"] for o, b in zip(ours, baseline, strict=True))
    return f"    ratio {label:28} wall {wall:.2f}  CPU {cpu:.2f}  (goal {goal})"


def bench_import(target: Target, folder: Path, rows: int, rounds: int) -> None:
    secrets = generate_secrets()
    results: dict[str, list[dict]] = {side: [] for side in ("import", "load", "reimport", "reload")}
    for _ in range(rounds):
        for side in ("import", "reimport", "load", "reload"):
            results[side].append(child(side, target, secrets, folder))
    print(f"  import, {target.name} (median of {rounds}):")
    print(line("first import (portal)", rows, results["import"]))
    print(line("  baseline: " + ("COPY" if target.is_postgres else "executemany"), rows, results["load"]))
    print(ratios("first import", results["import"], results["load"], "≥ 0.5"))
    print(line("re-import (portal)", rows, results["reimport"]))
    print(
        line(
            "  baseline: " + ("COPY + upsert" if target.is_postgres else "executemany upsert"), rows, results["reload"]
        )
    )
    print(ratios("re-import", results["reimport"], results["reload"], "≥ 0.5"))


def seed_export(folder: Path, claimants: int, target: Target) -> dict:
    """The claimants of tools/bench/exports.py in a SQLite file; copied into PostgreSQL for that run."""
    seed = folder / "export-seed"
    if not (seed / "bench.sqlite3").exists():
        seed.mkdir(exist_ok=True)
        proc = subprocess.run(  # noqa: S603 - our own interpreter and module
            [sys.executable, "-m", "tools.bench.exports", "prepare", str(claimants), str(seed)],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        if proc.returncode != 0:
            raise SystemExit(f"export seed failed:\n{proc.stderr[-4000:]}")
    secrets = json.loads((seed / "secrets.json").read_text())
    if target.is_postgres:
        _copy_into_postgres(seed / "bench.sqlite3", target, secrets)
    return secrets


def _copy_into_postgres(path: Path, target: Target, secrets: dict) -> None:
    import flask_migrate

    from tools.bench.data_child import _app
    from tools.bench.targets import fresh_postgres

    fresh_postgres(target.url)  # the import's tables go; the export starts from its own claimants
    app = _app(target.url, secrets)
    with app.app_context():
        flask_migrate.upgrade()
        from portal.extensions import db

        db.engine.dispose()
    source = sqlite3.connect(path)
    with psycopg.connect(libpq_url(target.url)) as connection, connection.cursor() as cursor:
        for table in EXPORT_TABLES:
            found = source.execute(f"SELECT * FROM {table}")  # noqa: S608 - our table names
            columns = [d[0] for d in found.description]
            types = {
                row[0]: row[1]
                for row in cursor.execute(
                    "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = %s", (table,)
                )
            }
            booleans = [i for i, c in enumerate(columns) if types.get(c) == "boolean"]
            with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in found:
                    if booleans:
                        row = list(row)
                        for i in booleans:
                            row[i] = None if row[i] is None else bool(row[i])
                    copy.write_row(row)
            highest = f"(SELECT coalesce(max(id), 1) FROM {table})"  # noqa: S608 - our table names
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), {highest})")
        connection.commit()
    source.close()


def bench_export(target: Target, folder: Path, claimants: int, rounds: int) -> None:
    secrets = seed_export(folder, claimants, target)
    if not target.is_postgres:
        target = Target(target.name, f"sqlite:///{folder / 'export-seed' / 'bench.sqlite3'}")
    results: dict[str, list[dict]] = {"export": [], "export_raw": []}
    for _ in range(rounds):
        for side in results:
            results[side].append(child(side, target, secrets, folder))
    rows = results["export"][0]["rows"]
    print(f"  export CSV, {target.name}, 1 process (median of {rounds}):")
    print(line("export (portal job)", rows, results["export"]))
    print(line("  baseline: query+decrypt+csv", results["export_raw"][0]["rows"], results["export_raw"]))
    print(ratios("export", results["export"], results["export_raw"], "≥ 0.5, CPU"))


def main(people: int, database: str, rounds: int) -> None:
    print(f"bench data: {people:,} people (import), {people:,} claimants (export), load {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory(prefix="portal-bench-data-") as directory:
        folder = Path(directory)
        started = time.perf_counter()
        people_rows, exposure_rows = generate_register(folder, people)
        took = time.perf_counter() - started
        print(f"  generated {people_rows:,} people and {exposure_rows:,} exposures in {took:.0f} s")
        for target in targets(folder, database, "data"):
            bench_import(target, folder, people_rows + exposure_rows, rounds)
            bench_export(target, folder, people, rounds)
    print(f"  load average after: {os.getloadavg()[0]:.1f}")

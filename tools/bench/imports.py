"""``flask dev bench import``: how fast the register import is, against plain sqlite3 on the same rows.

It generates a register (N people, about five exposures each) as CSV in a temporary folder, then
runs each side in a child process so each one's peak memory is its own:

* ``import``: ``import_register`` into a fresh SQLite database built by the real migrations;
* ``raw``: csv.reader + ``sqlite3.executemany`` of the same rows into the same schema (also
  built by the migrations, same PRAGMAs), with no validation and no encryption.

Each child reports its wall time for the load and ``ru_maxrss``. The goal is import/raw ≥ 0.5
in rows per second and a peak under 300 MB. Run ``python -m tools.bench.imports import|raw DIR``
by hand to profile one side.
"""

import csv
import json
import os
import random
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import click
from flask.cli import with_appcontext

from portal.core.taxonomy import load_taxonomy
from portal.crypto.notice_codes import CROCKFORD
from portal.dao.imports import IMPORT_CACHE_KIB
from portal.imports.validation import EXPOSURE_COLUMNS, PEOPLE_COLUMNS

# (country, region, language, city, postal code): a spread like the real register's.
PLACES = (
    ("US", "US-CA", "en", "Oakland", "94607"),
    ("US", "US-TX", "es-US", "Austin", "78701"),
    ("KE", "KE-30", "sw", "Nairobi", "00100"),
    ("BR", "BR-SP", "pt-BR", "São Paulo", "01310-100"),
    ("IN", "IN-MH", "hi", "Mumbai", "400001"),
    ("PH", "PH-00", "fil", "Manila", "1000"),
    ("FR", "FR-IDF", "fr", "Paris", "75011"),
    ("NG", "NG-LA", "en-NG", "Lagos", "100001"),
)
FIRST_NAMES = ("Amina", "João", "Priya", "Maria", "Kwame", "Ana", "Luis", "Grace", "Chloé", "Tunde")
LAST_NAMES = ("Okafor", "Silva", "Sharma", "Santos", "Mensah", "Reyes", "García", "Wanjiru", "Dubois", "Adeyemi")
# The taxonomy's categories in the file's order (the generated register stays the same run to run).
CATEGORIES = tuple(load_taxonomy())
SEED = 20261122


def generate_register(folder: Path, people: int) -> tuple[int, int]:
    """Write people.csv and exposures.csv (3 to 7 exposures a person, 5 on average); returns the row counts."""
    rng = random.Random(SEED)  # noqa: S311 - test data, reproducible on purpose
    exposures = 0
    with (
        (folder / "people.csv").open("w", newline="", encoding="utf-8") as people_file,
        (folder / "exposures.csv").open("w", newline="", encoding="utf-8") as exposure_file,
    ):
        people_csv, exposure_csv = csv.writer(people_file), csv.writer(exposure_file)
        people_csv.writerow((*PEOPLE_COLUMNS, "notice_code"))
        exposure_csv.writerow(EXPOSURE_COLUMNS)
        born_from = date(1950, 1, 1)
        for number in range(1, people + 1):
            contractor_id = f"C-{number:07d}"
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            country, region, language, city, postal = rng.choice(PLACES)
            code = "".join(rng.choices(CROCKFORD, k=12))
            people_csv.writerow(
                (
                    contractor_id,
                    first,
                    last,
                    f"{first.lower()}.{number}@example.org",
                    f"+{rng.randint(1, 99)} {rng.randint(100, 999)} {rng.randint(100000, 999999)}",
                    country,
                    region,
                    f"{rng.randint(1, 999)} Main Street",
                    "",
                    city,
                    postal,
                    (born_from + timedelta(days=rng.randint(0, 19000))).isoformat(),
                    f"{rng.randint(0, 9999):04d}",
                    language,
                    f"{code[:4]}-{code[4:8]}-{code[8:]}",
                )
            )
            for category in rng.sample(CATEGORIES, rng.randint(3, 7)):
                exposure_csv.writerow(
                    (
                        contractor_id,
                        category,
                        f"{category.replace('_', ' ')} record {number}",
                        f"2026-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}",
                    )
                )
                exposures += 1
    return people, exposures


def _child(kind: str, folder: Path) -> dict:
    proc = subprocess.run(  # noqa: S603 - our own interpreter and module, no user input in the command
        [sys.executable, "-m", "tools.bench.imports", kind, str(folder)],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise click.ClickException(f"the {kind} run failed:\n{proc.stderr[-4000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


@click.command("import")
@with_appcontext
@click.option("--people", default=200_000, show_default=True, help="People to generate (about 5 exposures each).")
@click.option("--runs", default=1, show_default=True, help="Runs of each side; medians are reported.")
def bench_command(people: int, runs: int) -> None:
    """Time the register import against raw sqlite3 executemany of the same rows."""
    folder = Path(tempfile.mkdtemp(prefix="portal-bench-"))
    try:
        started = time.perf_counter()
        people_rows, exposure_rows = generate_register(folder, people)
        click.echo(
            f"Generated {people_rows:,} people and {exposure_rows:,} exposures "
            f"({_size_mb(folder):.0f} MB of CSV) in {time.perf_counter() - started:.1f} s"
        )
        results = {"import": [], "raw": []}
        for run in range(1, runs + 1):
            for kind in ("import", "raw"):
                result = _child(kind, folder)
                results[kind].append(result)
                click.echo(
                    f"  run {run} {kind:6}: {result['seconds']:7.2f} s  "
                    f"{result['rows_per_second']:>9,.0f} rows/s  (CPU {result['cpu_seconds']:.2f} s)  "
                    f"peak {result['peak_mb']:.0f} MB"
                )
        _print_summary(results, runs)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _print_summary(results: dict, runs: int) -> None:
    keys = ("rows_per_second", "rows_per_cpu_second", "peak_mb")
    median = {
        kind: {key: statistics.median(run[key] for run in items) for key in keys} for kind, items in results.items()
    }
    ratio = median["import"]["rows_per_second"] / median["raw"]["rows_per_second"]
    cpu_ratio = median["import"]["rows_per_cpu_second"] / median["raw"]["rows_per_cpu_second"]
    label = f"median of {runs} runs" if runs > 1 else "1 run"
    for kind in ("import", "raw"):
        click.echo(
            f"{kind + ':':7} {median[kind]['rows_per_second']:>9,.0f} rows/s, "
            f"{median[kind]['rows_per_cpu_second']:>9,.0f} rows per CPU second, "
            f"peak {median[kind]['peak_mb']:.0f} MB ({label})"
        )
    click.echo(
        f"ratio import/raw: {ratio:.2f} (goal ≥ 0.5); by CPU time: {cpu_ratio:.2f} "
        "(steadier on a busy machine); import peak goal < 300 MB"
    )


def _size_mb(folder: Path) -> float:
    return sum(path.stat().st_size for path in folder.glob("*.csv")) / 1e6


def _fresh_database(folder: Path, name: str):
    """A new SQLite file with the real schema; returns the app bound to it (and its generated keys)."""
    import logging

    import flask_migrate

    from portal import create_app
    from portal.config import generate_secrets

    path = folder / name
    path.unlink(missing_ok=True)
    os.environ["PORTAL_INSTANCE_PATH"] = str(folder / "instance")
    app = create_app({"PORTAL_ENV": "testing", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}", **generate_secrets()})
    logging.disable(logging.INFO)
    with app.app_context():
        flask_migrate.upgrade()
    return app, path


def _bench_incident():
    from portal.extensions import db
    from portal.models import Incident

    incident = Incident(slug="bench", title="Benchmark", discovered_on=date(2026, 10, 1))
    db.session.add(incident)
    db.session.commit()
    return incident


def run_import_side(folder: Path) -> dict:
    from portal.imports.service import import_register

    app, _ = _fresh_database(folder, "import.sqlite3")
    with app.app_context():
        incident = _bench_incident()
        started, cpu_started = time.perf_counter(), _cpu_seconds()
        report = import_register(incident, folder / "people.csv", folder / "exposures.csv")
        seconds, cpu = time.perf_counter() - started, _cpu_seconds() - cpu_started
    rows = report.people_created + report.exposures_added
    return _result(seconds, cpu, rows)


def run_raw_side(folder: Path) -> dict:
    from portal.extensions import db

    app, path = _fresh_database(folder, "raw.sqlite3")
    with app.app_context():
        incident_id = _bench_incident().id
        db.engine.dispose()
    connection = sqlite3.connect(path)
    # The PRAGMAs of portal/core/db_setup.py, and the page cache the import gives itself: the same footing.
    for pragma in (
        "foreign_keys=ON",
        "journal_mode=WAL",
        "synchronous=NORMAL",
        "busy_timeout=10000",
        f"cache_size=-{IMPORT_CACHE_KIB}",
    ):
        connection.execute(f"PRAGMA {pragma}")
    started, cpu_started = time.perf_counter(), _cpu_seconds()
    rows = _raw_load(connection, folder, incident_id)
    seconds, cpu = time.perf_counter() - started, _cpu_seconds() - cpu_started
    connection.close()
    return _result(seconds, cpu, rows)


def _raw_load(connection: sqlite3.Connection, folder: Path, incident_id: int) -> int:
    """The floor: parse and insert, nothing else (no checks, no encryption, plain INSERT)."""
    now = "2026-11-22 12:00:00.000000"
    person_ids: dict[str, int] = {}
    codes: list[tuple] = []

    def people_rows():
        with (folder / "people.csv").open(newline="", encoding="utf-8") as handle:
            reader = csv.reader(handle)
            next(reader)
            for number, (
                cid,
                first,
                last,
                email,
                phone,
                country,
                region,
                line1,
                _line2,
                _city,
                _postal,
                born,
                last4,
                language,
                code,
            ) in enumerate(reader, start=1):
                person_ids[cid] = number  # a fresh table numbers rows from 1 in insert order
                codes.append((code, number, incident_id, "import", now))
                yield (cid, cid, first, last, email, country, region, language, phone, line1, born, last4, now, now)

    def exposure_rows():
        with (folder / "exposures.csv").open(newline="", encoding="utf-8") as handle:
            reader = csv.reader(handle)
            next(reader)
            for cid, category, detail, exposed_at in reader:
                yield person_ids[cid], incident_id, category, detail, exposed_at, now

    connection.executemany(
        "INSERT INTO person (uid, contractor_id, first_name, last_name, email, country, region, preferred_language,"
        " phone_enc, address_enc, date_of_birth_enc, national_id_last4_enc, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        people_rows(),
    )
    connection.executemany(
        "INSERT INTO notice_code (code_hash, person_id, incident_id, source, created_at) VALUES (?, ?, ?, ?, ?)", codes
    )
    exposures = connection.executemany(
        "INSERT INTO exposure (person_id, incident_id, category, detail, exposed_at, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        exposure_rows(),
    ).rowcount
    connection.commit()
    return len(person_ids) + exposures


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _result(seconds: float, cpu: float, rows: int) -> dict:
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kilobytes on Linux
    return {
        "seconds": seconds,
        "cpu_seconds": cpu,
        "rows": rows,
        "rows_per_second": rows / seconds,
        "rows_per_cpu_second": rows / cpu,
        "peak_mb": peak_kb / 1024,
    }


if __name__ == "__main__":
    side, directory = sys.argv[1], Path(sys.argv[2])
    outcome = run_import_side(directory) if side == "import" else run_raw_side(directory)
    print(json.dumps(outcome))  # the parent reads this line

"""``flask dev bench export``: the claimant export against a raw sqlite3 CSV dump of the same rows.

It builds a fresh SQLite database with the real migrations and N claimants (each a person with
encrypted phone, address, date of birth and national-id digits, three exposures, one or two
benefits, encrypted payment details; one in fifty with a fraud signal), then runs each side in a
child process so each one's peak memory (``ru_maxrss``) is its own:

* ``export``: the real background job, ``build_export``: keyset pages, per-row decryption, masking,
  neutralisation, CSV, AES-GCM at rest, SHA-256 and the audit event, in one process
  (EXPORT_WORKERS=1) and, unless ``--workers 1``, with worker processes beside it;
* ``raw``: one ``SELECT`` of the same claims joined to their people and incident through
  ``sqlite3``, written with ``csv.writer``: no decryption, no lookups, no encryption.

Goal: export/raw ≥ 0.5 in rows per second, and a peak that does not grow with N (run with
``--claimants 50000`` and ``--claimants 200000`` to see it stay flat). Wall clock with workers
shows what a person waits; CPU seconds (the workers' included) what the export costs, so
parallelism is never mistaken for efficiency. Each side runs ``--runs`` times, interleaved, and
the medians are reported (the machine may be shared).
"""

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
from pathlib import Path

import click
from flask.cli import with_appcontext

SEED = 20261122
NOW = "2026-11-22 12:00:00.000000"
PLACES = (
    ("US", "US-CA"),
    ("US", "US-TX"),
    ("US", "US-MA"),
    ("KE", ""),
    ("BR", ""),
    ("IN", ""),
    ("PH", ""),
    ("FR", ""),
    ("NG", ""),
)
NAMES = ("Amina", "João", "Priya", "Maria", "Kwame", "=cmd|' /C calc'!A0", "Luis", "Grace", "+Chloé", "@Tunde")
CATEGORIES = ("national_id", "payment", "address", "contact", "task_records", "video")


def _app(folder: Path, workers: int = 1):
    import logging

    from portal import create_app

    secrets = json.loads((folder / "secrets.json").read_text())
    os.environ["PORTAL_INSTANCE_PATH"] = str(folder / "instance")
    app = create_app({
        "PORTAL_ENV": "testing", "SENDING_ENGINE": "inline", "EXPORT_WORKERS": workers, "EXPORT_POOL_MIN_ROWS": 0,
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'bench.sqlite3'}", **secrets,
    })  # fmt: skip
    logging.disable(logging.INFO)
    return app


def prepare(folder: Path, claimants: int) -> None:
    import flask_migrate

    from portal.config import generate_secrets

    (folder / "secrets.json").write_text(json.dumps(generate_secrets()))
    app = _app(folder)
    with app.app_context():
        flask_migrate.upgrade()
        from portal.extensions import db

        db.engine.dispose()
        _fill(app, folder / "bench.sqlite3", claimants)


def _fill(app, path: Path, claimants: int) -> None:
    from portal.claims.payment import payment_aad
    from portal.crypto import crypto, person_field_aad

    rng = random.Random(SEED)  # noqa: S311 - reproducible test data, not secrets
    cipher = crypto().cipher
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=OFF")
    connection.execute(
        "INSERT INTO incident (id, slug, title, what_happened, what_we_are_doing, discovered_on, "
        "monitoring_months, contact_email, contact_phone, contact_hours, published, created_at, "
        "updated_at) VALUES (1, 'bench', 'Benchmark', '', '', '2026-10-01', 24, '', '', '', 1, ?, ?)",
        (NOW, NOW),
    )
    connection.execute(
        "INSERT INTO staff_user (id, email, password_hash, role, totp_secret_enc, last_totp_step, "
        "active, created_at) VALUES (1, 'legal@bench.example', 'x', 'legal', 'x', 0, 1, ?)",
        (NOW,),
    )
    people, exposures, claims, benefits, signals = [], [], [], [], []
    for number in range(1, claimants + 1):
        uid = f"{number:032x}"
        country, region = rng.choice(PLACES)

        def seal(field: str, value: str, uid=uid) -> str:
            return cipher.encrypt(value, person_field_aad(uid, field))

        people.append(
            (
                number,
                uid,
                f"C-{number:07d}",
                rng.choice(NAMES),
                rng.choice(NAMES),
                f"p{number}@example.org",
                country,
                region,
                "en",
                seal("phone", f"+1 555 {number:07d}"),
                seal("address", json.dumps({"line1": f"{number} Main St", "city": "Town", "postal_code": "1"})),
                seal("date_of_birth", "1990-03-27"),
                seal("national_id_last4", f"{number % 10000:04d}"),
                NOW,
                NOW,
            )
        )
        for category in rng.sample(CATEGORIES, 3):
            exposures.append((number, 1, category, "", NOW))
        reference = f"K{number:07d}"
        payment = cipher.encrypt(
            json.dumps(
                {
                    "account_holder": "A N Other",
                    "method": "bank_transfer",
                    "account_number": f"GB00BANK{number:012d}",
                    "bank_name": "Bank",
                }
            ),
            payment_aad(number),
        )
        claims.append(
            (
                number,
                reference,
                number,
                1,
                "submitted",
                "{}",
                "bank_transfer",
                payment,
                "A N Other",
                "",
                NOW,
                "",
                "",
                NOW,
                NOW,
            )
        )
        benefits.append((number, "lost_time", 7500, 3, ""))
        if number % 3 == 0:
            benefits.append((number, "out_of_pocket", 12_345, 0, "-SUM(A1)"))
        if number % 50 == 0:
            signals.append((number, "many_claims_from_ip", "5 claims from one IP in an hour", NOW))
    connection.executemany(
        "INSERT INTO person (id, uid, contractor_id, first_name, last_name, email, country, region, "
        "preferred_language, phone_enc, address_enc, date_of_birth_enc, national_id_last4_enc, "
        "created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        people,
    )
    connection.executemany(
        "INSERT INTO exposure (person_id, incident_id, category, detail, created_at) VALUES (?,?,?,?,?)", exposures
    )
    connection.executemany(
        "INSERT INTO claim (id, reference, person_id, incident_id, status, draft, payment_method, "
        "payment_details_enc, attestation_name, attestation_ip, submitted_at, decision_reason, "
        "info_request, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        claims,
    )
    connection.executemany(
        "INSERT INTO claim_benefit (claim_id, kind, amount_cents, hours, description) VALUES (?,?,?,?,?)", benefits
    )
    connection.executemany("INSERT INTO fraud_signal (claim_id, kind, detail, created_at) VALUES (?,?,?,?)", signals)
    connection.commit()
    connection.close()


def run_export_side(folder: Path, file_format: str, workers: int = 1) -> dict:
    app = _app(folder, workers)
    with app.app_context():
        from portal.constants import ExportStatus
        from portal.extensions import db
        from portal.legal.jobs import build_export
        from portal.models import ExportJob

        job = ExportJob(kind="claimants", file_format=file_format, filters="{}", include_payment_details=False,
                        status=ExportStatus.QUEUED, requested_by_id=1)  # fmt: skip
        db.session.add(job)
        db.session.commit()
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        started, cpu_started = time.perf_counter(), time.process_time()
        job = build_export(job.id)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
        if job.status != ExportStatus.READY:
            raise SystemExit(f"export failed: {job.error}")
        after = resource.getrusage(resource.RUSAGE_CHILDREN)  # the workers, waited for when the export ended
        cpu += (after.ru_utime + after.ru_stime) - (children.ru_utime + children.ru_stime)
        return _result(seconds, cpu, job.rows_written, job.file_bytes) | {"worker_peak_mb": after.ru_maxrss / 1024}


def run_raw_side(folder: Path) -> dict:
    import csv

    connection = sqlite3.connect(folder / "bench.sqlite3")
    out = folder / "raw.csv"
    started, cpu_started = time.perf_counter(), time.process_time()
    cursor = connection.execute(
        "SELECT c.reference, i.slug, c.status, p.contractor_id, p.first_name, p.last_name, p.email, p.phone_enc, "
        "p.address_enc, p.country, p.region, c.payment_method, c.payment_details_enc, c.submitted_at, "
        "c.decided_at, c.attestation_name FROM claim c JOIN person p ON p.id = c.person_id "
        "JOIN incident i ON i.id = c.incident_id WHERE c.status != 'draft' ORDER BY c.id"
    )
    with out.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow([d[0] for d in cursor.description])
        rows = 0
        for row in cursor:
            writer.writerow(row)
            rows += 1
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    return _result(seconds, cpu, rows, out.stat().st_size)


def _result(seconds: float, cpu: float, rows: int, size: int) -> dict:
    """Wall-clock and CPU time: on a shared machine the CPU figure is the steadier comparison."""
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "seconds": seconds,
        "cpu_seconds": cpu,
        "rows": rows,
        "rows_per_second": rows / seconds if seconds else 0.0,
        "rows_per_cpu_second": rows / cpu if cpu else 0.0,
        "peak_mb": peak_kb / 1024,
        "bytes": size,
    }


def _child(folder: Path, *args: str) -> dict:
    proc = subprocess.run(  # noqa: S603 - our own interpreter and module, no user input in the command
        [sys.executable, "-m", "tools.bench.exports", *args, str(folder)], capture_output=True, text=True, check=False
    )
    if proc.returncode != 0:
        raise click.ClickException(f"the {args[0]} run failed:\n{proc.stderr[-4000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _line(label: str, results: list[dict]) -> str:
    wall = statistics.median(result["rows_per_second"] for result in results)
    cpu = statistics.median(result["rows_per_cpu_second"] for result in results)
    seconds = statistics.median(result["seconds"] for result in results)
    cpu_seconds = statistics.median(result["cpu_seconds"] for result in results)
    peak = max(result["peak_mb"] for result in results)
    workers = max(result.get("worker_peak_mb", 0) for result in results)
    extra = f" (each worker at most {workers:.0f} MB)" if workers else ""
    return (f"{label}: {results[0]['rows']:,} rows in {seconds:.2f} s ({cpu_seconds:.2f} CPU s) = "
            f"{wall:,.0f} rows/s, {cpu:,.0f} per CPU second, peak {peak:.0f} MB{extra}")  # fmt: skip


def _ratios(label: str, export: list[dict], raw: list[dict]) -> str:
    """Medians of each run's ratio: a run's two sides saw the same load."""
    wall = statistics.median(e["rows_per_second"] / r["rows_per_second"] for e, r in zip(export, raw, strict=True))
    cpu = statistics.median(
        e["rows_per_cpu_second"] / r["rows_per_cpu_second"] for e, r in zip(export, raw, strict=True)
    )
    return f"ratio {label}/raw: {wall:.2f} wall clock, {cpu:.2f} CPU (goal ≥ 0.5)"


@click.command("export")
@with_appcontext
@click.option("--claimants", default=200_000, show_default=True, help="Claimants to generate.")
@click.option("--runs", default=3, show_default=True, help="Runs of each side; medians are reported.")
@click.option("--workers", type=int, default=None,
              help="EXPORT_WORKERS for the parallel run: processes building pages, the export's own "
                   "included (default: one per CPU, at most four).")  # fmt: skip
@click.option("--xlsx/--no-xlsx", default=False, show_default=True, help="Also time the XLSX export (once).")
def bench_export_command(claimants: int, runs: int, workers: int | None, xlsx: bool) -> None:
    """Time the claimant export against a raw sqlite3 CSV dump of the same rows."""
    from portal.legal.export_pool import default_export_workers

    workers = workers or default_export_workers()
    folder = Path(tempfile.mkdtemp(prefix="portal-bench-export-"))
    try:
        started = time.perf_counter()
        _child(folder, "prepare", str(claimants))
        click.echo(f"Generated {claimants:,} claimants in {time.perf_counter() - started:.1f} s; "
                   f"{runs} run(s) of each side, medians; load average {os.getloadavg()[0]:.1f}")  # fmt: skip
        raw, single, pooled = [], [], []
        for _ in range(runs):
            raw.append(_child(folder, "raw"))
            single.append(_child(folder, "export", "csv", "1"))
            if workers > 1:
                pooled.append(_child(folder, "export", "csv", str(workers)))
        click.echo(_line("raw sqlite3 CSV", raw))
        click.echo(_line("export CSV, 1 process", single))
        click.echo(_ratios("export (1 process)", single, raw))
        if pooled:
            click.echo(_line(f"export CSV, EXPORT_WORKERS={workers}", pooled))
            click.echo(_ratios(f"export (EXPORT_WORKERS={workers})", pooled, raw))
            click.echo("  (CPU counts the workers' CPU: the pool shortens the wait, it does not make rows cheaper)")
        click.echo(f"load average after: {os.getloadavg()[0]:.1f}")
        if xlsx:
            click.echo(_line("export XLSX, 1 process", [_child(folder, "export", "xlsx", "1")]))
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _main(argv: list[str]) -> None:
    kind, folder = argv[0], Path(argv[-1])
    if kind == "prepare":
        prepare(folder, int(argv[1]))
        result = {"ok": True}
    elif kind == "export":
        result = run_export_side(folder, argv[1], int(argv[2]))
    else:
        result = run_raw_side(folder)
    print(json.dumps(result))


if __name__ == "__main__":
    _main(sys.argv[1:])

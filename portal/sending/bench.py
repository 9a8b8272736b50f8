"""``flask portal bench-send``: notices per second through the whole sending pipeline, against a
bare loop posting the same payloads with the same SendGrid client.

* pipeline: ``send_until_idle``, the loop the engines run, until the batch is done: claim groups of
  chunks (UPDATE … RETURNING), issue and hash their notice codes, insert them, build each person's
  substitutions, post one request per chunk (from the posting process, the batch being big enough
  to start one, as a real send would), record the answers;
* bare: the payloads the pipeline posted (the first 25 the fake accepted, as it received them),
  posted again round robin, as many requests as the pipeline made, by the pipeline's own client;
* on SQLite, the SQL floor: the statements the pipeline ran, replayed alone (bench_floor.py).

Both post to the fake SendGrid (``tests/fakes/sendgrid_server.py``) running in a child process on
127.0.0.1, so it does not compete with the sender for the GIL. The data lives in a throwaway SQLite
database built by the real migrations (or ``--database-url``, a scratch PostgreSQL database that is
emptied first). Goal: ratio ≥ 0.5 and ≥ 20,000 notices/s.
"""

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

import click
import flask_migrate
from sqlalchemy import insert, text

from portal.cli import portal_cli
from portal.config import generate_secrets

ROOT = Path(__file__).resolve().parents[2]
API_KEY = "SG.bench"
CATEGORIES = ("national_id", "payment", "address", "contact", "task_records", "id_document")
SEED_ROWS_PER_STATEMENT = 20_000


def start_fake_sendgrid() -> tuple[subprocess.Popen, str]:
    if not (ROOT / "tests" / "fakes" / "sendgrid_server.py").exists():
        raise click.ClickException("bench-send needs the repository checkout (tests/fakes/sendgrid_server.py)")
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "tests.fakes.sendgrid_server", "--port", "0", "--api-key", API_KEY],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    line = process.stdout.readline().strip()
    if not line.startswith("listening on "):
        process.kill()
        raise click.ClickException(f"the fake SendGrid did not start: {line!r}")
    return process, line.removeprefix("listening on ")


def bench_app(database_url: str, sendgrid_url: str):
    from portal import create_app

    return create_app(
        {
            "PORTAL_ENV": "testing",
            "SQLALCHEMY_DATABASE_URI": database_url,
            **generate_secrets(),
            "MAIL_BACKEND": "sendgrid",
            "SENDGRID_API_KEY": API_KEY,
            "SENDGRID_HOST": sendgrid_url,
            "SENDGRID_TIMEOUT_SECONDS": 30.0,
            "SENDING_ENGINE": "inline",
            "MAIL_REPLY_TO": "help@example.org",
        }
    )


def empty_database() -> None:
    from portal.extensions import db

    db.session.remove()
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    flask_migrate.upgrade()


def seed_batch(notices: int) -> int:
    """An incident, a two-language template, ``notices`` people with one to three exposures, a SENDING batch."""
    from portal.core.time import utcnow
    from portal.extensions import db
    from portal.mail.rendering import starter_body
    from portal.models import (
        Batch,
        Exposure,
        Incident,
        NoticeTemplate,
        NoticeTemplateContent,
        NoticeTemplateVersion,
        Notification,
        Person,
        StaffUser,
    )

    now = utcnow()
    staff = StaffUser(
        email=f"bench-{uuid.uuid4().hex[:6]}@example.org",
        password_hash="-",  # noqa: S106 - a placeholder: this user cannot sign in
        role="admin",
        totp_secret_enc="-",  # noqa: S106 - cannot sign in
    )
    incident = Incident(
        slug=f"bench-{uuid.uuid4().hex[:8]}",
        title="Contractor records breach",
        discovered_on=now.date(),
        contact_email="help@example.org",
        contact_phone="+1 555 0100",
    )
    db.session.add_all([staff, incident])
    db.session.flush()
    template = NoticeTemplate(incident_id=incident.id, name="Bench notice")
    version = NoticeTemplateVersion(template=template, version=1, created_by_id=staff.id)
    for language, subject in (("en", "Notice of Data Breach"), ("es", "Aviso de violación de datos")):
        version.contents.append(
            NoticeTemplateContent(language=language, jurisdiction="", subject=subject, body_markdown=starter_body())
        )
    db.session.add_all([template, version])
    db.session.flush()
    batch = Batch(
        incident_id=incident.id,
        template_version_id=version.id,
        name="bench",
        channel="email",
        status="sending",
        audience="{}",
        audience_count=notices,
        created_by_id=staff.id,
        started_at=now,
    )
    db.session.add(batch)
    db.session.flush()
    tag = uuid.uuid4().hex[:6]
    for start in range(0, notices, SEED_ROWS_PER_STATEMENT):
        numbers = range(start, min(notices, start + SEED_ROWS_PER_STATEMENT))
        people = [
            {
                "uid": uuid.uuid4().hex,
                "contractor_id": f"B-{tag}-{n}",
                "first_name": f"Amina{n}",
                "last_name": "O'Brien & Okafor",
                "email": f"p{n}.{tag}@example.org",
                "country": "KE",
                "region": "",
                "preferred_language": "en",
                "created_at": now,
                "updated_at": now,
            }
            for n in numbers
        ]
        ids = [
            row[0]
            for row in db.session.execute(insert(Person).returning(Person.id, sort_by_parameter_order=True), people)
        ]
        db.session.execute(
            insert(Exposure),
            [
                {
                    "person_id": pid,
                    "incident_id": incident.id,
                    "category": CATEGORIES[(pid + k) % len(CATEGORIES)],
                    "detail": "",
                    "created_at": now,
                }
                for pid in ids
                for k in range(1 + pid % 3)
            ],
        )
        db.session.execute(
            insert(Notification),
            [
                {
                    "batch_id": batch.id,
                    "person_id": pid,
                    "language": "es" if pid % 5 == 0 else "en",
                    "jurisdiction": "",
                    "status": "queued",
                    "attempts": 0,
                    "provider_message_id": "",
                    "last_error": "",
                    "last_event_at": 0,
                    "updated_at": now,
                }
                for pid in ids
            ],
        )
    db.session.commit()
    return batch.id


def run_pipeline(batch_id: int) -> float:
    """Seconds to send the whole batch."""
    from portal.sending.pipeline import send_until_idle

    started = time.perf_counter()
    send_until_idle(batch_id=batch_id)
    return time.perf_counter() - started


def fake_sendgrid_says(sendgrid_url: str, what: str):
    """The fake's /__stats or /__payloads (the first payloads it accepted, as it received them);
    /__reset (a POST) to forget an earlier run."""
    body = b"{}" if what == "reset" else None
    request = urllib.request.Request(f"{sendgrid_url}/__{what}", data=body)  # noqa: S310 - the fake, on loopback
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - the fake, on loopback
        return json.load(response)


def run_bare(payloads: list[dict], requests: int) -> float:
    """Seconds to post ``requests`` of the pipeline's payloads, round robin, with its own client."""
    from portal.mail import mail_backend

    client = mail_backend().client.client  # the pipeline's own client
    started = time.perf_counter()
    for number in range(requests):
        response = client.mail.send.post(request_body=payloads[number % len(payloads)])
        if response.status_code != 202:
            raise click.ClickException(f"the fake SendGrid answered {response.status_code}")
    return time.perf_counter() - started


def sqlite_file(database_url: str) -> Path | None:
    """The database file of a SQLite URL (the default temporary database); None for PostgreSQL."""
    return Path(database_url.removeprefix("sqlite:///")) if database_url.startswith("sqlite:///") else None


def one_run(database_url: str, sendgrid_url: str, notices: int) -> tuple[float, float, float | None]:
    """Notices/s of the pipeline, of the bare loop and, on SQLite, of the pipeline's SQL alone."""
    from portal.constants import NotificationStatus
    from portal.extensions import db
    from portal.sending.bench_floor import accepted_in_copy, recorded_statements, replay, snapshot
    from portal.sending.service import batch_status_counts

    app = bench_app(database_url, sendgrid_url)
    database = sqlite_file(database_url)
    with app.app_context():
        empty_database()
        batch_id = seed_batch(notices)
        copy = database.with_name("floor.sqlite3") if database else None
        if copy:
            copy.unlink(missing_ok=True)
            snapshot(database, copy)
        fake_sendgrid_says(sendgrid_url, "reset")
        with recorded_statements(db.engine) as steps:
            pipeline_seconds = run_pipeline(batch_id)
        payloads = fake_sendgrid_says(sendgrid_url, "payloads")
        requests = fake_sendgrid_says(sendgrid_url, "stats")["requests"]
        counts = batch_status_counts(batch_id)
        if counts[NotificationStatus.ACCEPTED] != notices:
            raise click.ClickException(f"the pipeline did not send everything: {counts}")
        bare_seconds = run_bare(payloads, requests)
        db.session.remove()
        db.engine.dispose()
    floor = None
    if copy:
        floor_seconds = replay(copy, steps)
        replayed_all = accepted_in_copy(copy, batch_id) == notices
        copy.unlink()
        if not replayed_all:
            raise click.ClickException("replaying the pipeline's statements did not send everything")
        floor = notices / floor_seconds
    return notices / pipeline_seconds, notices / bare_seconds, floor


@portal_cli.command("bench-send")
@click.option("--notices", type=click.IntRange(min=1000), default=200_000, show_default=True)
@click.option("--runs", type=click.IntRange(min=1), default=1, show_default=True, help="Report the median of runs.")
@click.option(
    "--database-url", default="", help="A SCRATCH database to use (it is emptied); default: temporary SQLite."
)
def bench_send_command(notices: int, runs: int, database_url: str) -> None:
    """Notices/s through claim → codes → substitutions → post, against a bare posting loop."""
    server, sendgrid_url = start_fake_sendgrid()
    try:
        results = []
        with tempfile.TemporaryDirectory(prefix="bench-send-") as folder:
            url = database_url or f"sqlite:///{folder}/bench.sqlite3"
            for number in range(1, runs + 1):
                if not database_url and number > 1:
                    Path(folder, "bench.sqlite3").unlink(missing_ok=True)
                pipeline, bare, floor = one_run(url, sendgrid_url, notices)
                results.append((pipeline, bare, floor))
                alone = f"; its SQL alone {floor:,.0f} notices/s, ratio {floor / bare:.2f}" if floor else ""
                click.echo(
                    f"run {number}: pipeline {pipeline:,.0f} notices/s, bare loop {bare:,.0f} notices/s, "
                    f"ratio {pipeline / bare:.2f}{alone}"
                )
    finally:
        server.terminate()
        server.wait(10)
    pipeline = statistics.median(r[0] for r in results)
    bare = statistics.median(r[1] for r in results)
    ratio = statistics.median(r[0] / r[1] for r in results)
    where = "PostgreSQL" if database_url.startswith("postgresql") else "SQLite"
    click.echo(
        f"send benchmark ({notices:,} notices, {where}, median of {runs}): pipeline {pipeline:,.0f} notices/s, "
        f"bare loop {bare:,.0f} notices/s, ratio {ratio:.2f} (goal ≥ 0.50 and ≥ 20,000 notices/s)"
    )
    if results[0][2]:
        floor = statistics.median(r[2] for r in results)
        click.echo(
            f"  SQL floor (the pipeline's statements replayed through sqlite3 alone, median of {runs}): "
            f"{1e6 / floor:.1f} µs a notice ({floor:,.0f} notices/s) against the bare loop's {1e6 / bare:.1f} µs; "
            f"a sender that did nothing else would reach ratio {statistics.median(r[2] / r[1] for r in results):.2f}"
        )

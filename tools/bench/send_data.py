"""What the send benchmark sends and to whom: a fake SendGrid in a process of its own, an app
pointed at it, and a batch of N notices seeded straight into a database the migrations built."""

import json
import os
import subprocess
import sys
import urllib.request
import uuid
from pathlib import Path

import flask_migrate
from sqlalchemy import insert, text

from portal.config import generate_secrets

ROOT = Path(__file__).resolve().parents[2]
API_KEY = "SG.bench"
CATEGORIES = ("national_id", "payment", "address", "contact", "task_records", "id_document")
SEED_ROWS_PER_STATEMENT = 20_000
SECRETS = generate_secrets()  # one set per run: the Celery workers get the same keys as this process


class BenchError(Exception):
    """The benchmark cannot go on (and says why): a fake that did not start, a batch not all sent."""


def start_fake_sendgrid(delay: float) -> tuple[subprocess.Popen, str]:
    """The fake SendGrid (tests/fakes/sendgrid_server.py) answering 202 after ``delay`` seconds."""
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
        [
            sys.executable,
            "-m",
            "tests.fakes.sendgrid_server",
            "--port",
            "0",
            "--api-key",
            API_KEY,
            "--delay",
            str(delay),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    line = process.stdout.readline().strip()
    if not line.startswith("listening on "):
        process.kill()
        raise BenchError(f"the fake SendGrid did not start: {line!r}")
    return process, line.removeprefix("listening on ")


def bench_app(database_url: str, sendgrid_url: str, **settings):
    from portal import create_app

    return create_app(
        {
            "PORTAL_ENV": "testing",
            "SQLALCHEMY_DATABASE_URI": database_url,
            **SECRETS,
            "MAIL_BACKEND": "sendgrid",
            "SENDGRID_API_KEY": API_KEY,
            "SENDGRID_HOST": sendgrid_url,
            "SENDGRID_TIMEOUT_SECONDS": 30.0,
            "SENDING_ENGINE": "inline",
            "MAIL_REPLY_TO": "help@example.org",
            **settings,
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


def seed_batch(notices: int, status: str = "sending") -> int:
    """An incident, a two-language template, ``notices`` people with one to three exposures, a batch
    (``sending``: for a sender called directly; ``approved``: for ``dispatch_batch``)."""
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
        status=status,
        audience="{}",
        audience_count=notices,
        created_by_id=staff.id,
        started_at=now if status == "sending" else None,
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


def fake_sendgrid_says(sendgrid_url: str, what: str):
    """The fake's /__stats or /__payloads (the first payloads it accepted, as it received them);
    /__reset (a POST) to forget an earlier run."""
    body = b"{}" if what == "reset" else None
    request = urllib.request.Request(f"{sendgrid_url}/__{what}", data=body)  # noqa: S310 - the fake, on loopback
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - the fake, on loopback
        return json.load(response)

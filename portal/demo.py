"""``flask portal demo-data``: one incident, a few hundred fictional contractors, staff accounts.

The people go through the real register import (CSV files written to a temp dir), so the demo
exercises the same code path an incident team uses. Logins and five notice codes are written to
``instance/demo-credentials.txt`` (0600) because the database keeps only hashes; re-running the
command prints that file instead of loading twice.
"""

import csv
import os
import secrets
import tempfile
from datetime import date
from pathlib import Path

import click
from flask import current_app

from portal.cli import portal_cli
from portal.constants import Role
from portal.crypto import generate_notice_code
from portal.dao.incidents import dao_get_incident_by_slug
from portal.demo_people import generate_people
from portal.imports.service import ImportRejected, import_register
from portal.imports.validation import EXPOSURE_COLUMNS, PEOPLE_COLUMNS
from portal.incidents.service import create_incident
from portal.staff.service import create_staff_user, totp_provisioning_uri

DEMO_SLUG = "vendor-breach-2026"
SAMPLE_CODES = 5
DEMO_STAFF = (
    ("admin@demo.example", Role.ADMIN),
    ("admin2@demo.example", Role.ADMIN),
    ("legal@demo.example", Role.LEGAL),
    ("support@demo.example", Role.SUPPORT),
    ("auditor@demo.example", Role.AUDITOR),
)

INCIDENT = {
    "title": "Breach of contractor records at our AI-training-data vendor",
    "what_happened": (
        "On 14 October 2026 our data-annotation vendor found that an attacker had accessed its contractor "
        "management systems between 2 and 9 October. The attacker copied records about contractors who did "
        "annotation work through the vendor, including identity and tax numbers, addresses, payout details, "
        "identity-document scans, recorded interviews, chats and task records.\n\n"
        "Not everyone had every kind of information taken. Check below to see exactly what was exposed about you."
    ),
    "what_we_are_doing": (
        "- We closed the access route and reset every credential the attacker could have used.\n"
        "- We reported the breach to the authorities in the countries where affected contractors live.\n"
        "- We are writing to everyone affected, by email and by letter, with a personal notice code.\n"
        "- We offer identity monitoring and a claims process for losses."
    ),
    "discovered_on": date(2026, 10, 14),
    "occurred_on": date(2026, 10, 2),
    "claim_deadline": date(2027, 4, 30),
    "enrollment_deadline": date(2027, 3, 31),
    "monitoring_months": 24,
    "contact_email": "help@exposure-portal.example",
    "contact_phone": "+1 800 555 0199",
    "contact_hours": "Monday to Friday, 08:00–20:00 UTC",
    "published": True,
}


def _credentials_path() -> Path:
    return Path(current_app.instance_path) / "demo-credentials.txt"


def _write_register(folder: Path, count: int) -> tuple[Path, Path, list[dict]]:
    """CSV files as an incident team would receive them; every person gets a printed notice code."""
    people_path, exposures_path = folder / "people.csv", folder / "exposures.csv"
    samples: list[dict] = []
    with (
        people_path.open("w", newline="", encoding="utf-8") as people_file,
        exposures_path.open("w", newline="", encoding="utf-8") as exposures_file,
    ):
        people = csv.DictWriter(people_file, fieldnames=[*PEOPLE_COLUMNS, "notice_code"])
        exposures = csv.DictWriter(exposures_file, fieldnames=EXPOSURE_COLUMNS)
        people.writeheader()
        exposures.writeheader()
        for person, rows in generate_people(count):
            person["notice_code"] = generate_notice_code()
            people.writerow(person)
            exposures.writerows(rows)
            # One per country, so the printed codes show country-specific advice (US credit freezes…).
            countries_seen = {sample["country"] for sample in samples}
            if len(samples) < SAMPLE_CODES and person["country"] not in countries_seen:
                samples.append({**person, "categories": len(rows)})
    return people_path, exposures_path, samples


def _credentials_text(staff: list[tuple[str, str, str, str]], samples: list[dict]) -> str:
    lines = [
        "Exposure Portal demo — fictional data only.",
        "",
        "Staff sign-in: http://127.0.0.1:5000/staff/sign-in",
        "",
    ]
    for email, role, password, secret in staff:
        lines += [
            f"  {role:8} {email}",
            f"           password: {password}",
            f"           TOTP secret: {secret}",
            f"           authenticator URI: {totp_provisioning_uri(email, secret)}",
        ]
    lines += [
        "",
        "  Current TOTP code without a phone:",
        '    .venv/bin/python -c "import pyotp,sys; print(pyotp.TOTP(sys.argv[1]).now())" <TOTP secret>',
        "",
        "Contractor check: http://127.0.0.1:5000/check",
        "",
    ]
    for sample in samples:
        lines.append(
            f"  notice code {sample['notice_code']}  last name {sample['last_name']:<10}  "
            f"date of birth {sample['date_of_birth']}  ({sample['country']}, {sample['preferred_language']}, "
            f"{sample['categories']} categories)"
        )
    return "\n".join(lines) + "\n"


@portal_cli.command("demo-data")
@click.option("--people", "count", default=300, show_default=True, help="How many fictional contractors.")
def demo_data(count: int) -> None:
    """Load the demo incident, people and staff (once), then print the logins and notice codes."""
    credentials = _credentials_path()
    if dao_get_incident_by_slug(DEMO_SLUG) is not None:
        if credentials.exists():
            click.echo("Demo data is already loaded.\n")
            click.echo(credentials.read_text())
            return
        raise click.ClickException(
            f"Incident {DEMO_SLUG!r} exists but {credentials} is missing; "
            "delete instance/portal.sqlite3 to start the demo afresh."
        )
    incident = create_incident(DEMO_SLUG, INCIDENT)
    staff = []
    for email, role in DEMO_STAFF:
        password = secrets.token_urlsafe(12)
        _, secret = create_staff_user(email, role, password)
        staff.append((email, str(role), password, secret))
    with tempfile.TemporaryDirectory() as folder:
        people_path, exposures_path, samples = _write_register(Path(folder), count)
        try:
            report = import_register(incident, people_path, exposures_path)
        except ImportRejected as rejected:  # a bug in the generator, not the operator's doing
            raise click.ClickException(
                "The generated register was rejected:\n  " + "\n  ".join(rejected.errors)
            ) from rejected
    from portal.monitoring.demo import add_demo_monitoring

    add_demo_monitoring(incident)
    from portal.legal.demo import add_demo_claims_and_exclusions  # legal: claims and exclusions to export

    add_demo_claims_and_exclusions(incident)
    fd = os.open(credentials, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(_credentials_text(staff, samples))
    click.echo(f"Loaded {report.people_created} people and {report.exposures_added} exposures.\n")
    click.echo(credentials.read_text())

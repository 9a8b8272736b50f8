"""``flask dev demo-data``: one incident, a few hundred fictional contractors, staff accounts.

The people go through the real register import (CSV files written to a temp dir), so the demo
exercises the same code path an incident team uses. Among them are the printed personas
(tools/demo/personas.py), one for each contractor path. Logins and the personas' notice codes are
written to ``instance/demo-credentials.txt`` (0600) because the database keeps only hashes;
re-running the command prints that file (with the links on the current PUBLIC_URL) instead of
loading twice. The incident's dates are counted back from the day the demo is loaded, so its
deadlines are always ahead and every path stays open.
"""

import csv
import os
import random
import re
import secrets
import tempfile
import textwrap
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import click
import pycountry
from babel import Locale
from flask import current_app
from flask.cli import with_appcontext

from portal.constants import ClaimStatus, Role
from portal.core.time import utctoday
from portal.crypto.notice_codes import generate_notice_code
from portal.dao.incidents import dao_get_incident_by_slug
from portal.extensions import db
from portal.imports.service import ImportRejected, import_register
from portal.imports.validation import EXPOSURE_COLUMNS, PEOPLE_COLUMNS
from portal.incidents.service import create_incident
from portal.models import Incident, Person
from portal.staff.service import create_staff_user, totp_provisioning_uri
from tools.demo.people import generate_people
from tools.demo.personas import PERSONAS, Persona, persona_rows

DEMO_SLUG = "vendor-breach-2026"
DEMO_STAFF = (
    ("admin@demo.example", Role.ADMIN),
    ("admin2@demo.example", Role.ADMIN),
    ("legal@demo.example", Role.LEGAL),
    ("support@demo.example", Role.SUPPORT),
    ("auditor@demo.example", Role.AUDITOR),
)
PERSONA_IDS = frozenset(persona.contractor_id for persona in PERSONAS)


@dataclass(frozen=True)
class Timeline:
    """The demo incident's dates: an eight-day attack, found five days after it ended."""

    attack_start: date
    attack_end: date
    discovered_on: date
    enrollment_deadline: date
    claim_deadline: date

    @classmethod
    def ending(cls, today: date) -> "Timeline":
        start = today - timedelta(days=64)
        discovered = start + timedelta(days=12)
        return cls(
            start, start + timedelta(days=7), discovered, today + timedelta(days=116), today + timedelta(days=146)
        )

    @property
    def attack_days(self) -> list[date]:
        return [self.attack_start + timedelta(days=n) for n in range((self.attack_end - self.attack_start).days + 1)]


def _day(value: date) -> str:
    return f"{value.day} {value:%B %Y}"


def incident_values(timeline: Timeline) -> dict:
    return {
        "title": "Breach of contractor records at our AI-training-data vendor",
        "what_happened": (
            f"On {_day(timeline.discovered_on)} our data-annotation vendor found that an attacker had accessed its "
            f"contractor management systems between {_day(timeline.attack_start)} and {_day(timeline.attack_end)}. "
            "The attacker copied records about contractors who did annotation work through the vendor, including "
            "identity and tax numbers, addresses, payout details, identity-document scans, recorded interviews, "
            "chats and task records.\n\n"
            "Not everyone had every kind of information taken. Check below to see exactly what was exposed about you."
        ),
        "what_we_are_doing": (
            "- We closed the access route and reset every credential the attacker could have used.\n"
            "- We reported the breach to the authorities in the countries where affected contractors live.\n"
            "- We are writing to everyone affected, by email and by letter, with a personal notice code.\n"
            "- We offer identity monitoring and a claims process for losses."
        ),
        "discovered_on": timeline.discovered_on,
        "occurred_on": timeline.attack_start,
        "claim_deadline": timeline.claim_deadline,
        "enrollment_deadline": timeline.enrollment_deadline,
        "monitoring_months": 24,
        "contact_email": "help@exposure-portal.example",
        "contact_phone": "+1 800 555 0199",
        "contact_hours": "Monday to Friday, 08:00–20:00 UTC",
        "published": True,
    }


def _credentials_path() -> Path:
    return Path(current_app.instance_path) / "demo-credentials.txt"


def _portal_url() -> str:
    return current_app.config["PUBLIC_URL"].rstrip("/")


def _write_register(folder: Path, count: int, timeline: Timeline) -> tuple[Path, Path, dict[str, str]]:
    """CSV files as an incident team would receive them; every person gets a printed notice code.

    Returns the files and each persona's code (contractor id -> code).
    """
    people_path, exposures_path = folder / "people.csv", folder / "exposures.csv"
    codes: dict[str, str] = {}
    with (
        people_path.open("w", newline="", encoding="utf-8") as people_file,
        exposures_path.open("w", newline="", encoding="utf-8") as exposures_file,
    ):
        people = csv.DictWriter(people_file, fieldnames=[*PEOPLE_COLUMNS, "notice_code"])
        exposures = csv.DictWriter(exposures_file, fieldnames=EXPOSURE_COLUMNS)
        people.writeheader()
        exposures.writeheader()
        generated = generate_people(count, timeline.attack_days)
        personas = (persona_rows(persona, timeline.attack_days) for persona in PERSONAS)
        for rows in (generated, personas):
            for person, exposure_rows in rows:
                person["notice_code"] = generate_notice_code()
                people.writerow(person)
                exposures.writerows(exposure_rows)
                if person["contractor_id"] in PERSONA_IDS:
                    codes[person["contractor_id"]] = person["notice_code"]
    return people_path, exposures_path, codes


def _place(persona: Persona) -> str:
    country = pycountry.countries.get(alpha_2=persona.country)
    language = Locale.parse(persona.preferred_language, sep="-").get_display_name("en")
    return f"{country.name if country else persona.country} ({persona.region}), {language}"


def _persona_lines(persona: Persona, code: str) -> list[str]:
    born = date.fromisoformat(persona.date_of_birth)
    email = f"email {persona.email_address}" if persona.email_address else "no email address"
    return [
        f"  [{persona.flow}] {persona.heading}",
        f"    notice code {code}  last name {persona.last_name}  "
        f"date of birth  day {born.day}  month {born.month}  year {born.year}",
        f"    {_place(persona)}, {email}",
        *textwrap.wrap(persona.try_this, width=96, initial_indent="    ", subsequent_indent="    "),
        "",
    ]


def _credentials_text(staff: list[tuple[str, str, str, str]], codes: dict[str, str]) -> str:
    url = _portal_url()
    lines = [
        "Exposure Portal demo — fictional data only.",
        "",
        f"Portal: {url}",
        f"Staff sign-in: {url}/staff/sign-in",
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
        f"Contractors: {url}/check",
        "  Type the notice code, the last name and the date of birth (day, month and year boxes).",
        "  Each person below is set up for one path. Mails (claim confirmations, activation codes, new",
        "  notice codes) are in the staff area's Outbox, with codes masked, and in full in each person's",
        "  mailbox file, instance/mailbox/<email>.txt. A code from a mail replaces the one below.",
        "",
    ]
    for persona in PERSONAS:
        lines += _persona_lines(persona, codes[persona.contractor_id])
    return "\n".join(lines)


def _set_up_persona_claims(incident: Incident, legal_actor: str) -> None:
    from tools.demo.legal import add_demo_claim

    rng = random.Random(14)  # noqa: S311 - fictional demo data
    sent = datetime.combine(incident.discovered_on + timedelta(days=9), time(10), tzinfo=UTC)
    for flow, status in (("claim-needs-info", ClaimStatus.NEEDS_INFO), ("claim-denied", ClaimStatus.DENIED)):
        persona = next(p for p in PERSONAS if p.flow == flow)
        person = db.session.query(Person).filter_by(contractor_id=persona.contractor_id).one()
        add_demo_claim(incident, person, status, sent, legal_actor, rng)
    db.session.commit()


def _current_credentials(path: Path) -> str:
    """The saved credentials with their links moved to the current PUBLIC_URL (``make demo PORT=…``)."""
    text = path.read_text()
    saved = re.search(r"^Portal: (\S+)$", text, re.MULTILINE)
    if saved and saved.group(1) != _portal_url():
        text = text.replace(saved.group(1), _portal_url())
        path.write_text(text)
    return text


@click.command("demo-data")
@with_appcontext
@click.option("--people", "count", default=300, show_default=True, help="How many fictional contractors.")
def demo_data(count: int) -> None:
    """Load the demo incident, people and staff (once), then print the logins and notice codes."""
    credentials = _credentials_path()
    if dao_get_incident_by_slug(DEMO_SLUG) is not None:
        if credentials.exists():
            click.echo("Demo data is already loaded.\n")
            click.echo(_current_credentials(credentials))
            return
        raise click.ClickException(
            f"Incident {DEMO_SLUG!r} exists but {credentials} is missing; "
            "run `make clean-demo` to start the demo afresh."
        )
    timeline = Timeline.ending(utctoday())
    from portal.trust.organisation_admin import seed_demo_organisation

    seed_demo_organisation()  # an obviously fictional organisation, shown on every page and notice
    incident = create_incident(DEMO_SLUG, incident_values(timeline))
    staff, users = [], {}
    for email, role in DEMO_STAFF:
        password = secrets.token_urlsafe(12)
        users[email], secret = create_staff_user(email, role, password)
        staff.append((email, str(role), password, secret))
    with tempfile.TemporaryDirectory() as folder:
        people_path, exposures_path, codes = _write_register(Path(folder), count, timeline)
        try:
            report = import_register(incident, people_path, exposures_path)
        except ImportRejected as rejected:  # a bug in the generator, not the operator's doing
            raise click.ClickException(
                "The generated register was rejected:\n  " + "\n  ".join(rejected.errors)
            ) from rejected
    from tools.demo.legal import add_demo_claims_and_exclusions  # legal: claims and exclusions to export
    from tools.demo.monitoring import add_demo_monitoring
    from tools.demo.notices import send_demo_batch

    add_demo_monitoring(incident, PERSONA_IDS)
    legal_actor = f"staff:{users['legal@demo.example'].id}"
    add_demo_claims_and_exclusions(incident, legal_actor, PERSONA_IDS)
    _set_up_persona_claims(incident, legal_actor)
    bounced = next(p for p in PERSONAS if p.flow == "bounced")
    send_demo_batch(incident, users["admin@demo.example"], users["admin2@demo.example"], bounced.contractor_id)
    fd = os.open(credentials, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(_credentials_text(staff, codes))
    click.echo(f"Loaded {report.people_created} people and {report.exposures_added} exposures.\n")
    click.echo(credentials.read_text())

"""bench-web's register: N generated people imported the real way, plus the visitors it signs in.

Each visitor has six kinds of information exposed, a notice code and a submitted claim, so ``/my``
and the claim status page show what a real claimant's do. One legal staff account reads the
claims queue.
"""

import json
import logging
import uuid
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import flask_migrate
import pyotp

from portal import create_app
from portal.claims.drafts import get_claim_settings
from portal.claims.references import new_unique_reference
from portal.constants import ClaimStatus, NoticeCodeSource, Role
from portal.core.time import utcnow
from portal.crypto import crypto
from portal.crypto.notice_codes import fresh_notice_code
from portal.extensions import db
from portal.imports.service import import_register
from portal.models import Claim, Exposure, Incident, NoticeCode, Person
from portal.staff.service import create_staff_user
from tools.bench.imports import generate_register

STAFF_EMAIL = "bench-legal@staff.example.org"
STAFF_PASSWORD = "a long benchmark passphrase, never used elsewhere"  # noqa: S105 - a throw-away database
VISITOR_CATEGORIES = ("national_id", "id_document", "payment", "contact", "credentials", "resume")
INCIDENT_TITLE = "Breach of contractor records at our AI-training-data vendor"
WHAT_HAPPENED = """On **2 October 2026** someone copied files from our vendor's storage. The files held:

- names, contact details and dates of birth;
- identity documents and tax forms;
- payout account numbers.

We learned of it on 14 October and closed the access the same day. [Read the vendor's statement](https://example.org/statement).
"""
WHAT_WE_ARE_DOING = """We have written to everyone affected, in their language. We offer **free identity
monitoring** and take claims for money or time you lost. Law enforcement has been told.
"""


@dataclass(frozen=True)
class Visitor:
    code: str
    last_name: str
    date_of_birth: str
    claim_id: int
    reference: str


@dataclass(frozen=True)
class Register:
    people: int
    exposures: int
    visitors: list[Visitor]
    staff_secret: str


def build_register(url: str, secrets: dict, folder: Path, people: int, visitors: int) -> Register:
    app = create_app({"PORTAL_ENV": "testing", "SQLALCHEMY_DATABASE_URI": url, **secrets})
    logging.disable(logging.INFO)
    with app.app_context():
        flask_migrate.upgrade()
        incident = Incident(
            slug="vendor-breach-2026",
            title=INCIDENT_TITLE,
            what_happened=WHAT_HAPPENED,
            what_we_are_doing=WHAT_WE_ARE_DOING,
            occurred_on=date(2026, 10, 2),
            discovered_on=date(2026, 10, 14),
            contact_email="questions@exposure-portal.example",
            contact_phone="+1 800 555 0199",
            published=True,
        )
        db.session.add(incident)
        db.session.commit()
        csv_folder = folder / "register"
        csv_folder.mkdir(exist_ok=True)
        people_rows, exposure_rows = generate_register(csv_folder, people)
        import_register(incident, csv_folder / "people.csv", csv_folder / "exposures.csv")
        get_claim_settings(incident.id)  # made once here, not raced for by the first requests
        made = [_visitor(incident, number) for number in range(visitors)]
        _user, secret = create_staff_user(STAFF_EMAIL, Role.LEGAL, STAFF_PASSWORD)
        db.session.commit()
    return Register(people_rows + visitors, exposure_rows + visitors * len(VISITOR_CATEGORIES), made, secret)


def _visitor(incident: Incident, number: int) -> Visitor:
    born = f"19{60 + number % 40}-0{1 + number % 9}-1{number % 10}"
    last_name = "Wolfeschlegelsteinhausenbergerdorff" if number % 2 else "Okafor"
    person = Person(
        uid=uuid.uuid4().hex,
        contractor_id=f"V-{number:05d}",
        first_name="Maximiliane",
        last_name=last_name,
        email=f"visitor.{number}@example.org",
        country="US",
        region="US-MA",
        preferred_language="en",
    )
    person.email_bidx = crypto().email_index(person.email)
    person.encrypt_field("date_of_birth", born)
    person.encrypt_field("address", json.dumps({"line1": "1 Main Street", "city": "Boston", "postal_code": "02110"}))
    db.session.add(person)
    db.session.flush()
    for category in VISITOR_CATEGORIES:
        db.session.add(
            Exposure(
                person_id=person.id,
                incident_id=incident.id,
                category=category,
                detail=f"{category.replace('_', ' ')} record of visitor {number}",
                exposed_at=date(2026, 10, 2),
            )
        )
    code, code_hash = fresh_notice_code()
    db.session.add(
        NoticeCode(
            person_id=person.id,
            incident_id=incident.id,
            code_hash=code_hash,
            source=NoticeCodeSource.NOTICE,
        )
    )
    claim = Claim(
        reference=new_unique_reference(),
        person_id=person.id,
        incident_id=incident.id,
        status=ClaimStatus.SUBMITTED,
        attestation_name=f"Maximiliane {last_name}",
        attested_at=utcnow(),
        submitted_at=utcnow(),
    )
    db.session.add(claim)
    db.session.commit()
    return Visitor(code, last_name, born, claim.id, claim.reference)


def totp_now(secret: str) -> str:
    return pyotp.TOTP(secret).now()

"""Builders for test data. They write through the models, never raw SQL."""

import json
import uuid
from datetime import date

import pyotp

from portal.constants import NoticeCodeSource
from portal.crypto import crypto
from portal.crypto.notice_codes import fresh_notice_code
from portal.extensions import db
from portal.models import Exposure, Incident, NoticeCode, Person, StaffUser


def make_incident(slug="vendor-breach-2026", **fields) -> Incident:
    values = {
        "title": "Contractor records breach",
        "what_happened": "Someone broke into the vendor's systems.",
        "what_we_are_doing": "We are notifying everyone affected.",
        "discovered_on": date(2026, 10, 1),
        "contact_email": "help@example.org",
        **fields,
    }
    incident = Incident(slug=slug, **values)
    db.session.add(incident)
    db.session.commit()
    return incident


def make_person(
    contractor_id=None,
    *,
    last_name="Okafor",
    date_of_birth="1990-03-27",
    email=None,
    country="KE",
    language="en",
    **fields,
) -> Person:
    contractor_id = contractor_id or f"C-{uuid.uuid4().hex[:8]}"
    person = Person(
        uid=uuid.uuid4().hex,
        contractor_id=contractor_id,
        first_name=fields.pop("first_name", "Amina"),
        last_name=last_name,
        email=email or f"{contractor_id.lower()}@example.org",
        country=country,
        region=fields.pop("region", ""),
        preferred_language=language,
    )
    person.email_bidx = crypto().email_index(person.email)
    person.encrypt_field("date_of_birth", date_of_birth)
    person.encrypt_field("national_id_last4", fields.pop("national_id_last4", "4410"))
    person.encrypt_field("phone", fields.pop("phone", "+254700000000"))
    person.encrypt_field("address", json.dumps({"line1": "1 Moi Avenue", "city": "Nairobi", "postal_code": "00100"}))
    db.session.add(person)
    db.session.commit()
    return person


def give_notice_code(person: Person, incident: Incident | None = None, source=NoticeCodeSource.DEMO) -> str:
    """Issue a code and return it in the form printed on a notice (the database keeps only a hash)."""
    code, code_hash = fresh_notice_code()
    db.session.add(
        NoticeCode(
            person_id=person.id,
            incident_id=incident.id if incident else None,
            code_hash=code_hash,
            source=source,
        )
    )
    db.session.commit()
    return code


def expose(person: Person, incident: Incident, category: str, detail: str = "", exposed_at=None) -> Exposure:
    row = Exposure(
        person_id=person.id, incident_id=incident.id, category=category, detail=detail, exposed_at=exposed_at
    )
    db.session.add(row)
    db.session.commit()
    return row


STAFF_PASSWORD = "correct horse battery staple"


def sign_in_staff(client, role) -> StaffUser:
    """Create a staff user with ``role`` and sign ``client`` in through the real two steps (password, TOTP)."""
    from portal.staff.service import create_staff_user

    user, secret = create_staff_user(f"{role}-{uuid.uuid4().hex[:8]}@staff.example.org", role, STAFF_PASSWORD)
    response = client.post("/staff/sign-in", data={"email": user.email, "password": STAFF_PASSWORD})
    assert response.status_code == 302 and response.location.endswith("/staff/sign-in/code"), response.status_code
    response = client.post("/staff/sign-in/code", data={"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 302 and "/sign-in" not in response.location, response.status_code
    client.get(response.location)  # land where a browser would: its forms' token is the signed-in session's
    return user


def make_staff_user(role="admin"):
    """A staff row for foreign keys only (cannot sign in; use sign_in_staff for that)."""
    from portal.models import StaffUser

    user = StaffUser(
        email=f"{role}-{uuid.uuid4().hex[:8]}@staff.example.org", password_hash="-", role=role, totp_secret_enc="-"
    )
    db.session.add(user)
    db.session.commit()
    return user


def make_batch_with_notifications(
    count=3,
    *,
    incident=None,
    status="sending",
    languages=("en",),
    contents=None,
    categories=("national_id", "address"),
    emails=True,
    countries=("KE",),
):
    """A batch as approval leaves it: one queued Notification per new person (bulk inserted, so
    thousands are cheap). Languages and countries are assigned round-robin; ``contents`` maps language to
    (subject, body), defaulting to the starter notice for each language. Returns the Batch.
    """
    from sqlalchemy import insert

    from portal.core.time import utcnow
    from portal.mail.rendering import starter_body
    from portal.models import Batch, NoticeTemplate, NoticeTemplateContent, NoticeTemplateVersion, Notification

    incident = incident or make_incident(slug=f"incident-{uuid.uuid4().hex[:8]}")
    staff = make_staff_user()
    template = NoticeTemplate(incident_id=incident.id, name="Notice of Data Breach")
    version = NoticeTemplateVersion(template=template, version=1, created_by_id=staff.id)
    contents = contents or {lang: ("Notice of Data Breach: ((incident_title))", starter_body()) for lang in languages}
    for language, (subject, body) in contents.items():
        version.contents.append(
            NoticeTemplateContent(language=language, jurisdiction="", subject=subject, body_markdown=body)
        )
    db.session.add_all([template, version])
    db.session.flush()
    now = utcnow()
    batch = Batch(
        incident_id=incident.id,
        template_version_id=version.id,
        name="Test batch",
        channel="email",
        status=status,
        audience="{}",
        audience_count=count,
        created_by_id=staff.id,
        approved_by_id=make_staff_user().id,
        approved_at=now,
    )
    db.session.add(batch)
    db.session.flush()
    people = []
    for index in range(count):
        tag = uuid.uuid4().hex[:12]
        people.append(
            {
                "uid": uuid.uuid4().hex,
                "contractor_id": f"C-{tag}",
                "first_name": f"Amina{index}",
                "last_name": "Okafor",
                "email": f"c-{tag}@example.org" if emails else "",
                "country": countries[index % len(countries)],
                "region": "",
                "preferred_language": languages[index % len(languages)],
                "created_at": now,
                "updated_at": now,
            }
        )
    person_ids = (
        [
            row[0]
            for row in db.session.execute(insert(Person).returning(Person.id, sort_by_parameter_order=True), people)
        ]
        if people
        else []
    )
    if categories and person_ids:
        db.session.execute(
            insert(Exposure),
            [
                {"person_id": pid, "incident_id": incident.id, "category": category, "detail": "", "created_at": now}
                for pid in person_ids
                for category in categories
            ],
        )
    if person_ids:
        db.session.execute(
            insert(Notification),
            [
                {
                    "batch_id": batch.id,
                    "person_id": pid,
                    "language": languages[i % len(languages)],
                    "jurisdiction": "",
                    "status": "queued",
                    "attempts": 0,
                    "provider_message_id": "",
                    "last_error": "",
                    "last_event_at": 0,
                    "updated_at": now,
                }
                for i, pid in enumerate(person_ids)
            ],
        )
    db.session.commit()
    return batch


def date_fields(name: str, iso: str) -> dict[str, str]:
    """A date as a browser sends the Day / Month / Year boxes of ``name`` (portal.web.forms.DateInputField)."""
    year, month, day = iso.split("-")
    return {f"{name}-day": day.lstrip("0"), f"{name}-month": month.lstrip("0"), f"{name}-year": year}


def check_form(code: str, last_name: str, date_of_birth: str) -> dict[str, str]:
    """The identity check's fields: notice code, last name and the date of birth's three boxes."""
    return {"notice_code": code, "last_name": last_name, **date_fields("date_of_birth", date_of_birth)}

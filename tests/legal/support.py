"""Builders for the legal tests: claims, batches and notifications written through the models."""

import secrets
import uuid
from datetime import UTC, datetime

from portal.claims.payment import seal_details
from portal.constants import BatchStatus, ClaimStatus
from portal.extensions import db
from portal.models import (
    Batch,
    Claim,
    ClaimBenefit,
    FraudSignal,
    NoticeTemplate,
    NoticeTemplateVersion,
    Notification,
    StaffUser,
)
from tests.factories import expose, make_person


def make_claim(
    person,
    incident,
    *,
    status=ClaimStatus.SUBMITTED,
    benefits=(("alternative_cash", 10_000, 0),),
    method="bank_transfer",
    details=None,
    submitted_at=None,
    signals=(),
    attestation=None,
) -> Claim:
    claim = Claim(
        reference=f"K{secrets.token_hex(4).upper()}",
        person_id=person.id,
        incident_id=incident.id,
        status=status,
        payment_method=method,
        attestation_name=attestation or person.first_name,
        submitted_at=submitted_at or datetime(2026, 10, 15, 12, tzinfo=UTC),
    )
    db.session.add(claim)
    db.session.flush()
    for kind, cents, hours in benefits:
        db.session.add(ClaimBenefit(claim_id=claim.id, kind=kind, amount_cents=cents, hours=hours))
    if details is None and method == "bank_transfer":
        details = {
            "method": method,
            "account_holder": person.first_name,
            "account_number": "GB29NWBK60161331926819",
            "bank_name": "NatWest",
        }
    if details:
        claim.payment_details_enc = seal_details(claim.id, details)
    for kind in signals:
        db.session.add(FraudSignal(claim_id=claim.id, kind=kind, detail=f"{kind} detail"))
    db.session.commit()
    return claim


def claimant(incident, contractor_id=None, categories=("national_id",), **person_fields):
    person = make_person(contractor_id or f"C-{uuid.uuid4().hex[:8]}", **person_fields)
    for category in categories:
        expose(person, incident, category)
    return person


def _staff() -> StaffUser:
    user = db.session.query(StaffUser).first()
    if user is None:
        user = StaffUser(email="maker@staff.example.org", password_hash="x", role="admin", totp_secret_enc="x")
        db.session.add(user)
        db.session.flush()
    return user


def make_batch(incident, channel="email", name=None) -> Batch:
    template = NoticeTemplate(incident_id=incident.id, name="Notice")
    db.session.add(template)
    db.session.flush()
    version = NoticeTemplateVersion(template_id=template.id, version=1)
    db.session.add(version)
    db.session.flush()
    batch = Batch(
        incident_id=incident.id,
        template_version_id=version.id,
        name=name or f"{channel} batch",
        channel=channel,
        status=BatchStatus.SENT,
        created_by_id=_staff().id,
    )
    db.session.add(batch)
    db.session.commit()
    return batch


def notify(batch, person, status) -> Notification:
    row = Notification(batch_id=batch.id, person_id=person.id, language="en", status=status)
    db.session.add(row)
    db.session.commit()
    return row


def bulk_residents(incident, count, country, region="", categories=("contact",), prefix=None) -> list:
    """Many people in the register at once (no encrypted fields: the reports only count them)."""
    from portal.models import Exposure, Person

    prefix = prefix or f"{region or country}-{uuid.uuid4().hex[:6]}"
    people = [
        Person(
            uid=uuid.uuid4().hex,
            contractor_id=f"{prefix}-{n}",
            first_name="A",
            last_name="B",
            email=f"{prefix.lower()}-{n}@example.org",
            country=country,
            region=region,
            preferred_language="en",
        )
        for n in range(count)
    ]
    db.session.add_all(people)
    db.session.flush()
    db.session.add_all(
        [Exposure(person_id=p.id, incident_id=incident.id, category=c) for p in people for c in categories]
    )
    db.session.commit()
    return people


def bulk_claims(incident, count: int) -> None:
    """Many submitted claims at once (paid by check: no encrypted details), for exports of several pages."""
    people = bulk_residents(incident, count, "KE", prefix=f"BULK-{uuid.uuid4().hex[:6]}")
    submitted = datetime(2026, 10, 15, 12, tzinfo=UTC)
    db.session.add_all([
        Claim(reference=f"K{secrets.token_hex(5).upper()}", person_id=person.id, incident_id=incident.id,
              status=ClaimStatus.SUBMITTED, payment_method="check", attestation_name=person.first_name,
              submitted_at=submitted)
        for person in people
    ])  # fmt: skip
    db.session.commit()

"""A person with a row in every table that can hold something about them, and a way to sign in."""

import json
import uuid
from dataclasses import dataclass
from datetime import date, timedelta

from portal.claims.payment import payment_aad
from portal.claims.proof_files import store_file
from portal.constants import ClaimStatus, EnrollmentStatus, NotificationStatus
from portal.core.time import utcnow
from portal.crypto import crypto
from portal.extensions import db
from portal.models import (
    Claim,
    ClaimBenefit,
    ClaimDocument,
    ClaimStatusChange,
    ExclusionRequest,
    MonitoringEnrollment,
    MonitoringProduct,
    Notification,
    OutboxMessage,
    StepCompletion,
    Subscription,
)
from tests.factories import (
    check_form,
    expose,
    give_notice_code,
    make_batch_with_notifications,
    make_person,
)


@dataclass
class Someone:
    person: object
    code: str
    first_name: str
    last_name: str
    email: str
    phone: str
    birth_date: str
    address_line: str
    claim: Claim
    stored_name: str


def make_someone(incident, tag: str, *, language="en", country="KE", paid=True) -> Someone:
    """Everything distinctive carries ``tag``, so a search for it finds this person's data only."""
    first, last = f"Zawadi{tag}", f"Mwangi{tag}"
    email = f"{tag.lower()}@people.example.org"
    phone = f"+2547{abs(hash(tag)) % 10**8:08d}"
    birth = f"1987-11-{10 + ord(tag[0]) % 18}"
    person = make_person(
        f"C-{tag}",
        first_name=first,
        last_name=last,
        email=email,
        date_of_birth=birth,
        phone=phone,
        country=country,
        language=language,
    )
    address_line = f"{tag} Kenyatta Avenue"
    person.encrypt_field("address", json.dumps({"line1": address_line, "city": "Nairobi", "postal_code": "00100"}))
    code = give_notice_code(person, incident)
    expose(person, incident, "payment", f"bank account of {first} ending {tag[-2:]}", date(2025, 6, 1))
    expose(person, incident, "national_id", f"ID of {last}")
    batch = make_batch_with_notifications(0, incident=incident, status="sent")
    now = utcnow()
    db.session.add(
        Notification(
            batch_id=batch.id,
            person_id=person.id,
            language=language,
            status=NotificationStatus.DELIVERED,
            accepted_at=now,
            delivered_at=now,
        )
    )
    db.session.add(StepCompletion(person_id=person.id, category="payment", step_id="tell-provider"))
    product = MonitoringProduct(
        incident_id=incident.id,
        name=f"Shield {tag}",
        provider="Watchful",
        months=24,
        enrollment_url="https://x.example",
    )
    db.session.add(product)
    db.session.flush()
    db.session.add(
        MonitoringEnrollment(
            person_id=person.id,
            product_id=product.id,
            status=EnrollmentStatus.WAITING,
            consented_at=now,
            consent_ip="203.0.113.9",
        )
    )
    db.session.add(
        Subscription(person_id=person.id, incident_id=incident.id, unsubscribe_token_hash=uuid.uuid4().hex * 2)
    )
    claim = Claim(
        reference=f"K{tag[:3].upper()}-{uuid.uuid4().hex[:4].upper()}",
        person_id=person.id,
        incident_id=incident.id,
        status=ClaimStatus.PAID if paid else ClaimStatus.SUBMITTED,
        payment_method="bank_transfer",
        attestation_name=f"{first} {last}",
        attested_at=now,
        attestation_ip="203.0.113.9",
        submitted_at=now - timedelta(days=20),
        decided_at=now - timedelta(days=10) if paid else None,
        draft=json.dumps({"note": f"{first} lives at {address_line}"}),
    )
    db.session.add(claim)
    db.session.flush()
    claim.payment_details_enc = crypto().cipher.encrypt(
        json.dumps({"account_holder": f"{first} {last}", "account_number": "12345678"}), payment_aad(claim.id)
    )
    benefit = ClaimBenefit(
        claim_id=claim.id,
        kind="out_of_pocket",
        amount_cents=12_345,
        incurred_on=date(2025, 7, 1),
        description=f"{first} paid a locksmith at {address_line}",
    )
    db.session.add(benefit)
    stored_name = store_file(f"receipt for {first} {last}, {address_line}".encode())
    db.session.add(
        ClaimDocument(
            claim_id=claim.id, stored_name=stored_name, content_type="application/pdf", size_bytes=10, sha256="0" * 64
        )
    )
    db.session.add(
        ClaimStatusChange(claim_id=claim.id, to_status=claim.status, actor=f"contractor:{person.uid}", note=first)
    )
    db.session.add(
        ExclusionRequest(person_id=person.id, incident_id=incident.id, typed_name=f"{first} {last}", reason=email)
    )
    db.session.add(
        OutboxMessage(kind="claim_submitted", to_address=email, subject="Your claim", body_text=f"Dear {first},")
    )
    db.session.commit()
    return Someone(person, code, first, last, email, phone, birth, address_line, claim, stored_name)


def sign_in_as(client, someone: Someone) -> None:
    response = client.post("/check", data=check_form(someone.code, someone.last_name, someone.birth_date))
    assert response.status_code == 302 and response.location.endswith("/my"), response.status_code

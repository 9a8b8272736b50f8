"""One person's record: what the PDF shows (their own words) and the access copy (every row held).

Both are built from the verified person's id only, never from anything in the request, so one
person's download can never carry another's rows.
"""

import json
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import gettext as _

from portal.claims.payment import mask_details, open_details
from portal.claims.status import status_words
from portal.core.taxonomy import load_taxonomy
from portal.core.time import utcnow
from portal.crypto import DecryptionError
from portal.dao.claims import dao_claim_children, dao_claims_of_person, dao_get_claim_settings
from portal.dao.monitoring import dao_enrollments_of_person
from portal.dao.notifications import dao_notices_of_person
from portal.dao.outbox import dao_outbox_for_address
from portal.dao.people import PERSON_TABLES, dao_get_exposures_with_incidents, dao_rows_of_person
from portal.models import Incident, Person, StepCompletion

# Keyed hashes and ciphertexts: they say nothing to the person and help whoever steals the file.
_NEVER_COPIED = {"code_hash", "unsubscribe_token_hash", "payout_account_hash", "payment_details_enc", "draft"}
# Reference alphabet without look-alikes (0/O, 1/I/L), read out over the phone.
_REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def new_reference() -> str:
    body = "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(8))
    return f"REC-{body[:4]}-{body[4:]}"


@dataclass
class IncidentSection:
    incident: Incident
    exposures: list = field(default_factory=list)  # (title, detail, exposed_on)
    notices: list = field(default_factory=list)  # (date, channel, status)
    enrollments: list = field(default_factory=list)  # (product, provider, status, consented_on, served_on)
    claims: list = field(default_factory=list)  # (reference, status words, submitted_on, decided_on, cents, currency)


@dataclass
class PersonRecord:
    person: Person
    reference: str
    issued_at: datetime
    sections: list[IncidentSection]
    steps: list  # (category title, step text, completed_on)


def _section(sections: dict[int, IncidentSection], incident: Incident) -> IncidentSection:
    return sections.setdefault(incident.id, IncidentSection(incident))


def _steps_done(person: Person) -> list:
    taxonomy = load_taxonomy()
    rows = []
    for done in dao_rows_of_person(StepCompletion, person.id):
        category = taxonomy.get(done.category)
        step = category.step_for(person.country, done.step_id) if category else None
        title = _(category.title) if category else done.category
        rows.append((title, _(step.text) if step else done.step_id, done.completed_at.date()))
    return rows


def build_record(person: Person) -> PersonRecord:
    """The PDF's content, in the current locale (the caller forces the person's language)."""
    taxonomy = load_taxonomy()
    sections: dict[int, IncidentSection] = {}
    for exposure, incident in dao_get_exposures_with_incidents(person.id):
        category = taxonomy.get(exposure.category)
        title = _(category.title) if category else exposure.category
        _section(sections, incident).exposures.append((title, exposure.detail, exposure.exposed_at))
    incidents = {s.incident.id: s.incident for s in sections.values()}
    for notification, batch in dao_notices_of_person(person.id):
        when = notification.delivered_at or notification.accepted_at or batch.started_at or batch.approved_at
        if batch.incident_id in incidents:
            section = sections[batch.incident_id]
            section.notices.append((when.date() if when else None, batch.channel, notification.status))
    for enrollment, product in dao_enrollments_of_person(person.id):
        if product.incident_id in incidents:
            sections[product.incident_id].enrollments.append(
                (
                    product.name,
                    product.provider,
                    enrollment.status,
                    enrollment.consented_at.date(),
                    enrollment.served_at.date() if enrollment.served_at else None,
                )
            )
    for claim, incident in dao_claims_of_person(person.id):
        amount = sum(benefit.amount_cents for benefit in claim.benefits)
        settings = dao_get_claim_settings(incident.id)
        _section(sections, incident).claims.append(
            (
                claim.reference,
                str(status_words(claim.status)),
                claim.submitted_at.date() if claim.submitted_at else None,
                claim.decided_at.date() if claim.decided_at else None,
                amount,
                settings.currency if settings else "USD",
            )
        )
    return PersonRecord(person, new_reference(), utcnow(), list(sections.values()), _steps_done(person))


def _plain(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    if hasattr(value, "__str__") and not isinstance(value, int | float | bool | str | type(None)):
        return str(value)
    return value


def _row(row) -> dict:
    return {
        column.key: _plain(getattr(row, column.key))
        for column in row.__table__.columns
        if column.key not in _NEVER_COPIED and not column.key.endswith("_enc")
    }


def _person_fields(person: Person) -> dict:
    fields = _row(person)
    fields.pop("email_bidx", None)
    for name in ("phone", "date_of_birth", "national_id_last4"):
        fields[name] = person.decrypt_field(name)
    address = person.decrypt_field("address")
    fields["address"] = json.loads(address) if address else None
    return fields


def _claim_copy(claim) -> dict:
    copy = _row(claim)
    copy["benefits"] = [_row(benefit) for benefit in claim.benefits]
    try:
        details = open_details(claim.id, claim.payment_details_enc)
    except DecryptionError:
        details = {}
    # Masked as on the claim's own page: the full account number in a file that travels is a gift.
    copy["payment_details_masked"] = mask_details(claim.payment_method, details) if details else ""
    return copy


def access_copy(person: Person, reference: str) -> dict:
    """Every row held about the person (GDPR Art. 15 / Art. 20), as plain JSON-ready data."""
    held: dict = {
        "reference": reference,
        "issued_at": utcnow().isoformat(),
        "person": _person_fields(person),
    }
    claims = []
    for model in PERSON_TABLES:
        rows = dao_rows_of_person(model, person.id)
        if model.__tablename__ == "claim":
            claims = rows
            held["claim"] = [_claim_copy(claim) for claim in rows]
        else:
            held[model.__tablename__] = [_row(row) for row in rows]
    documents, changes = dao_claim_children([claim.id for claim in claims])
    held["claim_document"] = [_row(row) for row in documents]
    held["claim_status_change"] = [_row(row) for row in changes]
    held["monitoring_enrollment_product"] = [
        {"enrollment_id": e.id, "product": p.name, "provider": p.provider}
        for e, p in dao_enrollments_of_person(person.id)
    ]
    held["outbox_message"] = [
        {"id": m.id, "kind": m.kind, "subject": m.subject, "created_at": _plain(m.created_at)}
        for m in dao_outbox_for_address(person.email)
    ]
    return held

"""Asking to be excluded from the settlement, and withdrawing the request before the deadline.

An exclusion (an "opt-out") means the person keeps any right to sue on their own and gets nothing
from the settlement. The request is the person's own, signed by typing their name, recorded with
the time and IP address, and can be withdrawn until the incident's claim deadline; after that it
stands. Withdrawing keeps the row (with ``withdrawn_at``): counsel need to see both.
"""

from dataclasses import dataclass
from datetime import date

from sqlalchemy.exc import IntegrityError

from portal.audit.chain import record_audit
from portal.constants import CLAIM_STANDING, AuditAction
from portal.core.time import utcnow, utctoday
from portal.dao.claims import dao_get_claim_by_person_and_incident
from portal.dao.exclusions import (
    dao_add_exclusion,
    dao_get_exclusion,
    dao_get_standing_exclusion,
    dao_renew_withdrawn_exclusion,
    dao_withdraw_exclusion,
)
from portal.dao.exposures import dao_get_incidents_for_person
from portal.dao.incidents import dao_get_incident_by_slug
from portal.extensions import db
from portal.models import Claim, ExclusionRequest, Incident, Person


class ExclusionClosed(Exception):
    """The claim deadline has passed: requests can no longer be made or withdrawn."""


class ExclusionBlocked(Exception):
    """The person has sent a claim that stands: claiming keeps them in the settlement."""

    def __init__(self, claim_reference: str):
        super().__init__(claim_reference)
        self.claim_reference = claim_reference


@dataclass(frozen=True)
class ExclusionAnswers:
    reason: str
    typed_name: str

    def to_session(self) -> dict:
        return {"reason": self.reason, "typed_name": self.typed_name}

    @classmethod
    def from_session(cls, raw) -> "ExclusionAnswers | None":
        if not isinstance(raw, dict) or not raw.get("typed_name"):
            return None
        return cls(str(raw.get("reason", "")), str(raw["typed_name"]))


def is_open(incident: Incident, today: date | None = None) -> bool:
    return incident.claim_deadline is None or (today or utctoday()) <= incident.claim_deadline


def incidents_for(person: Person) -> list[Incident]:
    return dao_get_incidents_for_person(person.id)


def incident_for(person: Person, slug: str) -> Incident | None:
    """The incident only if the person is in its register: anyone else's looks like a missing page."""
    incident = dao_get_incident_by_slug(slug)
    if incident is None or incident.id not in {i.id for i in incidents_for(person)}:
        return None
    return incident


def current_request(person: Person, incident: Incident) -> ExclusionRequest | None:
    """The person's standing (not withdrawn) request, if any."""
    return dao_get_standing_exclusion(person.id, incident.id)


def standing_claim(person: Person, incident: Incident) -> Claim | None:
    """The person's sent claim for the incident, unless it was denied or withdrawn. (A draft does not
    count: it cannot be sent while they stand excluded.)"""
    claim = dao_get_claim_by_person_and_incident(person.id, incident.id)
    return claim if claim is not None and claim.status in CLAIM_STANDING else None


def request_exclusion(
    person: Person, incident: Incident, answers: ExclusionAnswers, ip: str, today: date | None = None
) -> ExclusionRequest:
    if not is_open(incident, today):
        raise ExclusionClosed
    row = dao_get_exclusion(person.id, incident.id)
    if row is not None and row.withdrawn_at is None:
        return row  # already excluded: a second submit (back button, double click) changes nothing
    if (claim := standing_claim(person, incident)) is not None:
        raise ExclusionBlocked(claim.reference)
    values = {
        "reason": answers.reason,
        "typed_name": answers.typed_name,
        "requested_at": utcnow(),
        "request_ip": ip[:45],
        "withdrawn_at": None,
    }
    # One-shot either way: the unique (person, incident) index refuses a twin insert, and asking again
    # after withdrawing reuses the row only while it is still withdrawn.
    if row is None:
        try:
            row = dao_add_exclusion(ExclusionRequest(person_id=person.id, incident_id=incident.id, **values))
        except IntegrityError:
            db.session.rollback()
            return dao_get_exclusion(person.id, incident.id)
    elif not dao_renew_withdrawn_exclusion(row, values):
        db.session.rollback()
        return dao_get_exclusion(person.id, incident.id)
    record_audit(
        AuditAction.EXCLUSION_REQUESTED,
        f"person:{person.uid}",
        {"incident": incident.id},
        actor=f"contractor:{person.uid}",
    )
    db.session.commit()
    return row


def withdraw_exclusion(person: Person, incident: Incident, today: date | None = None) -> bool:
    """True if a standing request was withdrawn."""
    if not is_open(incident, today):
        raise ExclusionClosed
    row = current_request(person, incident)
    if row is None or not dao_withdraw_exclusion(row, utcnow()):
        db.session.rollback()
        return False  # nothing standing: never asked, or a twin request withdrew it a moment ago
    record_audit(
        AuditAction.EXCLUSION_WITHDRAWN,
        f"person:{person.uid}",
        {"incident": incident.id},
        actor=f"contractor:{person.uid}",
    )
    db.session.commit()
    return True

"""Legal's work on a claim: the queue, opening a claim (audited), and the decisions.

Every decision locks the claim row, re-checks its status, writes a ClaimStatusChange and an
AuditEvent in the same transaction (``change_status``), and then emails the claimant where they
need to act or know. Fraud signals are shown here; they never decide anything.
"""

import json
import re
from dataclasses import dataclass
from datetime import timedelta

from flask_babel import lazy_gettext as _l

from portal.audit.chain import current_actor, record_audit
from portal.claims import mail
from portal.claims.drafts import claims_today, get_claim_settings
from portal.claims.payment import FIELD_LABELS, PAYMENT_FIELDS, open_details
from portal.claims.references import normalize_reference
from portal.claims.status import ClaimStatusChanged, change_status
from portal.claims.summary import ClaimSummary, claim_summary
from portal.constants import (
    CLAIM_APPROVABLE,
    CLAIM_DENIABLE,
    CLAIM_INFO_REQUESTABLE,
    CLAIM_PAYABLE,
    AuditAction,
    ClaimStatus,
)
from portal.core.time import utcnow
from portal.crypto import DecryptionError
from portal.dao.claims import (
    dao_claim_was_appealed,
    dao_get_appealed_denier,
    dao_get_claim,
    dao_get_claim_by_reference,
    dao_get_claim_queue,
    dao_get_fraud_signals,
    dao_get_signal_kinds_for_claims,
    dao_get_status_history,
    dao_lock_claim,
)
from portal.dao.incidents import dao_get_incident
from portal.dao.people import dao_get_person
from portal.extensions import db
from portal.models import Claim, ClaimStatusChange, FraudSignal, Incident, Person


class ReviewError(ValueError):
    """A decision that cannot be made on the claim as it is now (someone else got there first)."""


@dataclass(frozen=True)
class QueuePage:
    rows: list[tuple[Claim, Incident]]
    signals: dict[int, list[str]]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def claim_queue(statuses, incident_id: int | None, signal: str | None, page: int) -> QueuePage:
    rows, total = dao_get_claim_queue(statuses, incident_id, signal, page)
    signals = dao_get_signal_kinds_for_claims([claim.id for claim, _ in rows])
    return QueuePage(rows, signals, total, page, 50)


def find_claim_by_reference(text: str) -> Claim | None:
    reference = normalize_reference(text)
    return dao_get_claim_by_reference(reference) if reference else None


@dataclass(frozen=True)
class ClaimView:
    claim: Claim
    incident: Incident
    person: Person
    summary: ClaimSummary
    signals: list[FraudSignal]
    related: dict[str, Claim]  # claims named in the signals, by reference, for links
    history: list[ClaimStatusChange]
    currency: str


def open_claim(claim_id: int) -> ClaimView | None:
    """A claim as legal sees it (payment details masked); the opening is audited."""
    claim = dao_get_claim(claim_id)
    if claim is None or claim.status == ClaimStatus.DRAFT:
        return None
    record_audit(AuditAction.CLAIM_VIEWED, f"claim:{claim.reference}")
    db.session.commit()
    incident = dao_get_incident(claim.incident_id)
    settings = get_claim_settings(incident.id)
    signals = dao_get_fraud_signals(claim.id)
    return ClaimView(
        claim=claim,
        incident=incident,
        person=dao_get_person(claim.person_id),
        summary=claim_summary(claim, settings),
        signals=signals,
        related=_related_claims(signals),
        history=dao_get_status_history(claim.id),
        currency=settings.currency,
    )


def _related_claims(signals: list[FraudSignal]) -> dict[str, Claim]:
    references = set()
    for signal in signals:
        references.update(re.findall(r"\b[0-9A-Z]{5}-[0-9A-Z]{5}\b", signal.detail))
    found = {}
    for reference in references:
        claim = dao_get_claim_by_reference(reference)
        if claim is not None:
            found[reference] = claim
    return found


@dataclass(frozen=True)
class RevealedDetails:
    method: str
    rows: list[tuple[object, str]]  # (label, value)
    address_lines: list[str]
    problem: str = ""


def reveal_payment_details(claim: Claim, person: Person) -> RevealedDetails:
    """Decrypt the payment details for legal. The audit row is committed before anything is decrypted."""
    record_audit(AuditAction.CLAIM_PAYMENT_DETAILS_VIEWED, f"claim:{claim.reference}", {"method": claim.payment_method})
    db.session.commit()
    try:
        details = open_details(claim.id, claim.payment_details_enc)
        address_text = person.decrypt_field("address") if claim.payment_method == "check" else None
    except (DecryptionError, ValueError):
        return RevealedDetails(claim.payment_method, [], [], problem="undecryptable")
    rows = [(FIELD_LABELS[name], details.get(name, "")) for name in PAYMENT_FIELDS.get(claim.payment_method, ())]
    address_lines = []
    if address_text:
        address = json.loads(address_text)
        address_lines = [address.get(key, "") for key in ("line1", "line2", "city", "postal_code") if address.get(key)]
        address_lines.append(person.country)
    return RevealedDetails(claim.payment_method, rows, address_lines)


# -- decisions ---------------------------------------------------------------------------------------------


STATUS_MOVED_ON = _l("This claim's status has changed since you opened it. Check it again.")


SAME_REVIEWER = _l(
    "This claim is an appeal against your own denial. Another legal user must decide it, as the appeal page promises."
)
FLAGGED_NEEDS_REASON = _l("This claim has fraud signals: confirm on the confirmation page, with your reason.")


def appeal_blocks(claim_id: int, actor: str) -> bool:
    """Whether ``actor`` denied the claim now under appeal, and so may not decide the appeal."""
    return dao_get_appealed_denier(claim_id) == actor


def _locked(claim_id: int, allowed: tuple) -> Claim:
    claim = dao_lock_claim(claim_id)
    if claim is None or claim.status not in allowed:
        db.session.rollback()
        raise ReviewError(STATUS_MOVED_ON)
    if appeal_blocks(claim.id, current_actor()):
        db.session.rollback()
        raise ReviewError(SAME_REVIEWER)
    return claim


def _decide(claim: Claim, to_status: str, action: str, note: str = "", details: dict | None = None) -> None:
    """The row lock above already serialises deciders on PostgreSQL; the conditional UPDATE in
    ``change_status`` makes the decision one-shot on every database."""
    try:
        change_status(claim, to_status, current_actor(), action, note=note, details=details)
    except ClaimStatusChanged as changed:
        db.session.rollback()
        raise ReviewError(STATUS_MOVED_ON) from changed
    db.session.commit()


def _notify(claim: Claim, send) -> None:
    person = dao_get_person(claim.person_id)
    incident = dao_get_incident(claim.incident_id)
    send(claim, person, incident)


def approve_claim(claim_id: int, override_reason: str = "") -> Claim:
    """Approve; a claim with fraud signals only with the reviewer's typed reason, which is
    audited with the signals it overrides."""
    claim = _locked(claim_id, CLAIM_APPROVABLE)
    signals = sorted({signal.kind for signal in dao_get_fraud_signals(claim.id)})
    if signals and not override_reason.strip():
        db.session.rollback()
        raise ReviewError(FLAGGED_NEEDS_REASON)
    claim.decided_at = utcnow()
    claim.decision_reason = ""
    claim.appeal_deadline = None
    details = {"signals": signals, "reason": override_reason.strip()} if signals else None
    _decide(claim, ClaimStatus.APPROVED, AuditAction.CLAIM_APPROVED, details=details)
    _notify(claim, mail.send_decision)
    return claim


def deny_claim(claim_id: int, reason: str) -> Claim:
    """Deny with a reason the claimant reads; they may appeal once, within the incident's window."""
    claim = _locked(claim_id, CLAIM_DENIABLE)
    settings = get_claim_settings(claim.incident_id)
    claim.decided_at = utcnow()
    claim.decision_reason = reason.strip()
    final = dao_claim_was_appealed(claim.id) or settings.appeal_window_days <= 0
    claim.appeal_deadline = None if final else claims_today() + timedelta(days=settings.appeal_window_days)
    _decide(
        claim,
        ClaimStatus.DENIED,
        AuditAction.CLAIM_DENIED,
        note=claim.decision_reason,
        details={"appeal_deadline": claim.appeal_deadline},
    )
    _notify(claim, mail.send_decision)
    return claim


def request_information(claim_id: int, request_text: str) -> Claim:
    """The deficiency notice: what is missing, and the cure deadline (today + the incident's cure period)."""
    claim = _locked(claim_id, CLAIM_INFO_REQUESTABLE)
    settings = get_claim_settings(claim.incident_id)
    claim.info_request = request_text.strip()
    claim.cure_deadline = claims_today() + timedelta(days=settings.cure_period_days)
    _decide(
        claim,
        ClaimStatus.NEEDS_INFO,
        AuditAction.CLAIM_INFO_REQUESTED,
        note=claim.info_request,
        details={"cure_deadline": claim.cure_deadline},
    )
    _notify(claim, mail.send_info_request)
    return claim


def mark_paid(claim_id: int) -> Claim:
    claim = _locked(claim_id, CLAIM_PAYABLE)
    _decide(claim, ClaimStatus.PAID, AuditAction.CLAIM_PAID)
    return claim


def record_document_download(claim: Claim, document_id: int) -> None:
    record_audit(AuditAction.CLAIM_DOCUMENT_DOWNLOADED, f"claim:{claim.reference}", {"document_id": document_id})
    db.session.commit()

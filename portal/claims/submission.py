"""Checking a draft claim one last time and sending it: benefits written out, attestation stored,
fraud signals computed, the confirmation emailed. Sending is one-shot (``change_status`` is a
conditional UPDATE), so a double click or a replayed POST sends the claim once.
"""

from decimal import Decimal

from flask_babel import lazy_gettext as _l

from portal.claims import fraud, mail
from portal.claims.documents import delete_files, remove_documents
from portal.claims.drafts import (
    chosen_benefits,
    draft_losses,
    enabled_benefits,
    load_draft,
    losses_total_cents,
    needs_payment,
    unfinished_steps,
)
from portal.claims.money import format_money
from portal.claims.service import (
    ClaimAlreadySent,
    ClaimError,
    ensure_editable_draft,
    lost_time_cents,
    lost_time_problem,
)
from portal.claims.status import ClaimStatusChanged, change_status, contractor_actor
from portal.constants import AuditAction, BenefitKind, ClaimStatus
from portal.core.time import utcnow
from portal.dao.claims import dao_add, dao_get_claim_documents
from portal.extensions import db
from portal.models import Claim, ClaimBenefit, ClaimSettings, Incident, Person


def _money(cents: int, settings: ClaimSettings) -> str:
    return format_money(cents, settings.currency)


def draft_problems(claim: Claim, settings: ClaimSettings) -> list:
    """What stops this draft being sent, re-checked at the end (settings may have changed meanwhile)."""
    problems = []
    if unfinished_steps(claim, settings):
        problems.append(_l("Some questions are not answered yet. Answer them, then come back to this page"))
    draft = load_draft(claim)
    chosen = chosen_benefits(draft)
    offered = {str(kind) for kind in enabled_benefits(settings)}
    if any(kind not in offered for kind in chosen):
        problems.append(_l("One of the benefits you chose is no longer offered. Choose again"))
    if BenefitKind.OUT_OF_POCKET in chosen and losses_total_cents(draft) > settings.out_of_pocket_cap_cents:
        problems.append(
            _l(
                "Your losses add up to more than %(cap)s. Remove or change a loss",
                cap=_money(settings.out_of_pocket_cap_cents, settings),
            )
        )
    if BenefitKind.LOST_TIME in chosen and draft.get("lost_time", {}).get("hours"):
        lost_time = draft["lost_time"]
        problem = lost_time_problem(Decimal(lost_time["hours"]), len(lost_time.get("document_ids", [])), settings)
        if problem:
            problems.append(problem)
    return problems


def _build_benefits(claim: Claim, settings: ClaimSettings) -> set[int]:
    """ClaimBenefit rows from the draft; returns the ids of the documents the chosen benefits use."""
    draft = load_draft(claim)
    chosen = chosen_benefits(draft)
    used: set[int] = set()
    links: list[tuple[ClaimBenefit, list[int]]] = []
    if BenefitKind.OUT_OF_POCKET in chosen:
        for line in draft_losses(draft):
            benefit = ClaimBenefit(
                claim_id=claim.id,
                kind=BenefitKind.OUT_OF_POCKET,
                amount_cents=line.amount_cents,
                incurred_on=line.incurred_on,
                description=line.description,
            )
            links.append((benefit, line.document_ids))
    if BenefitKind.LOST_TIME in chosen:
        lost_time = draft.get("lost_time", {})
        hours = Decimal(lost_time.get("hours") or 0)
        links.append(
            (
                ClaimBenefit(
                    claim_id=claim.id,
                    kind=BenefitKind.LOST_TIME,
                    hours=hours,
                    amount_cents=lost_time_cents(hours, settings),
                    description=lost_time.get("description", ""),
                ),
                lost_time.get("document_ids", []),
            )
        )
    if BenefitKind.ALTERNATIVE_CASH in chosen:
        links.append(
            (
                ClaimBenefit(
                    claim_id=claim.id, kind=BenefitKind.ALTERNATIVE_CASH, amount_cents=settings.alternative_cash_cents
                ),
                [],
            )
        )
    if BenefitKind.MONITORING in chosen:
        links.append((ClaimBenefit(claim_id=claim.id, kind=BenefitKind.MONITORING), []))
    for benefit, _ in links:
        dao_add(benefit)
    db.session.flush()
    documents = {document.id: document for document in dao_get_claim_documents(claim.id)}
    for benefit, document_ids in links:
        for document_id in document_ids:
            if document_id in documents:
                documents[document_id].benefit_id = benefit.id
                used.add(document_id)
    return used


def submit_claim(
    claim: Claim, person: Person, incident: Incident, settings: ClaimSettings, full_name: str, ip: str
) -> list[str]:
    """Send the claim: benefits written out, attestation stored, signals computed, confirmation emailed.

    Returns the fraud signal kinds found (for the audit record; the claimant is never told).
    """
    ensure_editable_draft(claim, incident)
    if claim.status != ClaimStatus.DRAFT:
        raise ClaimAlreadySent(claim.reference)
    problems = draft_problems(claim, settings)
    if problems:
        raise ClaimError({"full_name": problems[0]})
    # The status moves first, conditionally: of two submits racing (a double click, a replayed
    # POST) only one gets past this line; the other writes no benefit, no history and no email.
    try:
        change_status(claim, ClaimStatus.SUBMITTED, contractor_actor(person), AuditAction.CLAIM_SUBMITTED)
    except ClaimStatusChanged as changed:
        db.session.rollback()
        raise ClaimAlreadySent(claim.reference) from changed
    used = _build_benefits(claim, settings)
    unused = [d.id for d in dao_get_claim_documents(claim.id) if d.id not in used]
    leftover_files = remove_documents(claim, unused)  # proof for a benefit the person later unticked
    if not needs_payment(load_draft(claim)):
        claim.payment_method, claim.payment_details_enc, claim.payout_account_hash = "", None, None
    now = utcnow()
    claim.attestation_name = full_name.strip()
    claim.attested_at = now
    claim.attestation_ip = (ip or "")[:45]
    claim.submitted_at = now
    fraud.store_match_keys(claim, person)
    db.session.flush()
    kinds = fraud.compute_fraud_signals(claim)
    db.session.commit()
    delete_files(leftover_files)
    mail.send_claim_submitted(claim, person, incident)
    return kinds

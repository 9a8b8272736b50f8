"""Demo claims and exclusion requests, so the legal workspace has something to export in ``make demo``.

Called by ``flask dev demo-data`` after the register is loaded. It writes through the models
(the claims feature's own sealing of payment details), only when the incident has no claims yet,
so a demo that files claims some other way is left alone. Every claim gets the status history a
real one would have (sent, then each decision), dated between the incident's discovery and today.
"""

import random
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select

from portal.claims.payment import payout_account_hash, seal_details
from portal.claims.references import new_unique_reference
from portal.claims.status import contractor_actor
from portal.constants import BenefitKind, ClaimStatus, FraudSignalKind
from portal.core.time import utctoday
from portal.extensions import db
from portal.models import (
    Claim,
    ClaimBenefit,
    ClaimStatusChange,
    ExclusionRequest,
    Exposure,
    FraudSignal,
    Incident,
    Person,
)

DEMO_CLAIMS = 60
DEMO_EXCLUSIONS = 3
STATUSES = (
    [ClaimStatus.SUBMITTED] * 5
    + [ClaimStatus.APPROVED] * 3
    + [ClaimStatus.NEEDS_INFO, ClaimStatus.DENIED, ClaimStatus.PAID]
)
INFO_REQUEST = (
    "Please send a receipt or bank statement that shows what you paid for “{loss}”, or tell us why you cannot."
)
DENIAL_REASON = "The proof you sent for “{loss}” does not show the amount you claimed or who paid it."
LOSSES = (
    "Replacement passport fee",
    "Bank charge for a new card",
    "Credit report fee",
    "Notarised copy of an identity document",
    "Mobile-money wallet re-registration fee",
)


def add_demo_claims_and_exclusions(
    incident: Incident, staff_actor: str, skip_contractor_ids: frozenset[str] = frozenset(), seed: int = 5
) -> int:
    """Claims for the first people in the register, a shared payout account, a few exclusions.

    ``skip_contractor_ids``: the printed demo personas, whose situations are set up on their own.
    """
    if db.session.scalar(select(func.count(Claim.id)).where(Claim.incident_id == incident.id)):
        return 0
    rng = random.Random(seed)  # noqa: S311 - fictional demo data
    people = list(
        db.session.scalars(
            select(Person)
            .where(Person.id.in_(select(Exposure.person_id).where(Exposure.incident_id == incident.id)))
            .where(Person.contractor_id.not_in(skip_contractor_ids))
            .order_by(Person.id)
            .limit(DEMO_CLAIMS + DEMO_EXCLUSIONS)
        )
    )
    claimants, excluded = people[:DEMO_CLAIMS], people[DEMO_CLAIMS:]
    start = datetime.combine(incident.discovered_on + timedelta(days=6), time(9), tzinfo=UTC)
    span = max(datetime.now(UTC) - timedelta(days=3) - start, timedelta(hours=len(claimants) or 1))
    shared_account = "DE89370400440532013000"
    for number, person in enumerate(claimants):
        shared = number in (3, 17, 42)  # one payout account on three claims: a fraud signal for legal
        method = "bank_transfer" if shared else rng.choice(["bank_transfer", "paypal", "mobile_money", "check"])
        account = shared_account if shared else f"GB{number:02d}DEMO{rng.randrange(10**12):012d}"
        submitted = start + span * number / max(len(claimants), 1)
        claim = add_demo_claim(
            incident, person, rng.choice(STATUSES), submitted, staff_actor, rng, method=method, account=account
        )
        if shared:
            db.session.add(
                FraudSignal(
                    claim_id=claim.id,
                    kind=FraudSignalKind.SHARED_PAYOUT_ACCOUNT,
                    detail="same payout account as two other demo claims",
                )
            )
    for person in excluded:
        db.session.add(
            ExclusionRequest(
                person_id=person.id,
                incident_id=incident.id,
                reason="I prefer to pursue my own claim.",
                typed_name=f"{person.first_name} {person.last_name}",
                request_ip="127.0.0.1",
            )
        )
    db.session.commit()
    return len(claimants)


def add_demo_claim(
    incident: Incident,
    person: Person,
    status: ClaimStatus,
    submitted: datetime,
    staff_actor: str,
    rng: random.Random,
    method: str = "bank_transfer",
    account: str = "GB33DEMO000012345678",
) -> Claim:
    """One sent claim in ``status``, with its benefits, payment details and status history."""
    claim = Claim(
        reference=new_unique_reference(),
        person_id=person.id,
        incident_id=incident.id,
        status=ClaimStatus.SUBMITTED,
        payment_method=method,
        attestation_name=f"{person.first_name} {person.last_name}",
        attestation_ip="127.0.0.1",
        submitted_at=submitted,
        attested_at=submitted,
    )
    db.session.add(claim)
    db.session.flush()
    details = _details(method, person, account)
    if details:
        claim.payment_details_enc = seal_details(claim.id, details)
        claim.payout_account_hash = payout_account_hash(method, details)
    benefits = _benefits(rng, with_loss=status in (ClaimStatus.NEEDS_INFO, ClaimStatus.DENIED))
    for kind, cents, hours, description in benefits:
        incurred = _loss_day(incident, submitted, rng) if kind == BenefitKind.OUT_OF_POCKET else None
        db.session.add(
            ClaimBenefit(
                claim_id=claim.id,
                kind=kind,
                amount_cents=cents,
                hours=hours,
                incurred_on=incurred,
                description=description,
            )
        )
    loss = next((description for kind, _, _, description in benefits if kind == BenefitKind.OUT_OF_POCKET), "")
    _history(claim, status, submitted, contractor_actor(person), staff_actor, loss)
    return claim


def _history(claim: Claim, status: ClaimStatus, submitted: datetime, claimant: str, staff: str, loss: str) -> None:
    """The changes that lead to ``status``, each two days after the one before (never in the future)."""
    path = {
        ClaimStatus.SUBMITTED: [],
        ClaimStatus.NEEDS_INFO: [ClaimStatus.NEEDS_INFO],
        ClaimStatus.APPROVED: [ClaimStatus.APPROVED],
        ClaimStatus.DENIED: [ClaimStatus.DENIED],
        ClaimStatus.PAID: [ClaimStatus.APPROVED, ClaimStatus.PAID],
    }[status]
    changes = [(ClaimStatus.DRAFT, ClaimStatus.SUBMITTED, claimant, "", submitted)]
    latest = datetime.now(UTC) - timedelta(hours=1)
    at = submitted
    for to_status in path:
        at = min(at + timedelta(days=2), latest)
        note = {ClaimStatus.NEEDS_INFO: INFO_REQUEST, ClaimStatus.DENIED: DENIAL_REASON}.get(to_status, "")
        note = note.format(loss=loss.lower())
        changes.append((changes[-1][1], to_status, staff, note, at))
    for from_status, to_status, actor, note, when in changes:
        db.session.add(
            ClaimStatusChange(
                claim_id=claim.id, from_status=from_status, to_status=to_status, actor=actor, note=note, at=when
            )
        )
    claim.status = status
    today = utctoday()
    if status == ClaimStatus.NEEDS_INFO:
        claim.info_request, claim.cure_deadline = INFO_REQUEST.format(loss=loss.lower()), today + timedelta(days=30)
    if status in (ClaimStatus.APPROVED, ClaimStatus.DENIED, ClaimStatus.PAID):
        claim.decided_at = at
    if status == ClaimStatus.DENIED:
        claim.decision_reason = DENIAL_REASON.format(loss=loss.lower())
        claim.appeal_deadline = today + timedelta(days=30)


def _loss_day(incident: Incident, submitted: datetime, rng: random.Random) -> date:
    """A day between the attack and the claim, as a claimant's loss must be."""
    first = incident.occurred_on or incident.discovered_on
    days = max((submitted.date() - first).days, 1)
    return first + timedelta(days=rng.randrange(days))


def _details(method: str, person: Person, account: str) -> dict:
    if method == "bank_transfer":
        return {
            "method": method,
            "account_holder": f"{person.first_name} {person.last_name}",
            "account_number": account,
            "bank_name": "Demo Bank",
            "swift_bic": "",
        }
    if method == "paypal":
        return {"method": method, "paypal_email": person.email or "paypal@contractors.example"}
    if method == "mobile_money":
        return {"method": method, "provider": "M-Pesa", "phone_number": "+254 700 000 123"}
    return {}


def _benefits(rng: random.Random, with_loss: bool = False) -> list[tuple[str, int, float, str]]:
    """What a claim asks for; ``with_loss``: one that a request for proof or a denial can be about."""
    choice = 1 if with_loss else rng.randrange(4)
    loss = rng.choice(LOSSES)
    if choice == 0:
        return [(BenefitKind.ALTERNATIVE_CASH, 10_000, 0, "")]
    if choice == 1:
        return [
            (BenefitKind.LOST_TIME, 2_500 * 3, 3, "Calls to my bank and freezing my accounts"),
            (BenefitKind.OUT_OF_POCKET, rng.randrange(2_000, 90_000), 0, loss),
        ]
    if choice == 2:
        return [(BenefitKind.MONITORING, 0, 0, "")]
    return [(BenefitKind.OUT_OF_POCKET, rng.randrange(2_000, 50_000), 0, loss)]

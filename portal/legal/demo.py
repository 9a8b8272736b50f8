"""Demo claims and exclusion requests, so the legal workspace has something to export in ``make demo``.

Called by ``flask portal demo-data`` after the register is loaded. It writes through the models
(the claims feature's own sealing of payment details), only when the incident has no claims yet,
so a demo that files claims some other way is left alone.
"""

import random
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from portal.claims.payment import payout_account_hash, seal_details
from portal.claims.references import new_unique_reference
from portal.constants import BenefitKind, ClaimStatus, FraudSignalKind
from portal.extensions import db
from portal.models import Claim, ClaimBenefit, ExclusionRequest, Exposure, FraudSignal, Incident, Person

DEMO_CLAIMS = 60
DEMO_EXCLUSIONS = 3
STATUSES = (
    [ClaimStatus.SUBMITTED] * 5
    + [ClaimStatus.APPROVED] * 3
    + [ClaimStatus.NEEDS_INFO, ClaimStatus.DENIED, ClaimStatus.PAID]
)


def add_demo_claims_and_exclusions(incident: Incident, seed: int = 5) -> int:
    """Claims for the first people in the register, a shared payout account, a few exclusions."""
    if db.session.scalar(select(func.count(Claim.id)).where(Claim.incident_id == incident.id)):
        return 0
    rng = random.Random(seed)  # noqa: S311 - fictional demo data
    people = list(
        db.session.scalars(
            select(Person)
            .where(Person.id.in_(select(Exposure.person_id).where(Exposure.incident_id == incident.id)))
            .order_by(Person.id)
            .limit(DEMO_CLAIMS + DEMO_EXCLUSIONS)
        )
    )
    claimants, excluded = people[:DEMO_CLAIMS], people[DEMO_CLAIMS:]
    start = datetime(2026, 10, 20, 9, tzinfo=UTC)
    shared_account = "DE89370400440532013000"
    for number, person in enumerate(claimants):
        shared = number in (3, 17, 42)  # one payout account on three claims: a fraud signal for legal
        method = "bank_transfer" if shared else rng.choice(["bank_transfer", "paypal", "mobile_money", "check"])
        claim = Claim(
            reference=new_unique_reference(),
            person_id=person.id,
            incident_id=incident.id,
            status=rng.choice(STATUSES),
            payment_method=method,
            attestation_name=f"{person.first_name} {person.last_name}",
            submitted_at=start + timedelta(hours=7 * number),
            attested_at=start + timedelta(hours=7 * number),
        )
        db.session.add(claim)
        db.session.flush()
        account = shared_account if shared else f"GB{number:02d}DEMO{rng.randrange(10**12):012d}"
        details = _details(method, person, account)
        if details:
            claim.payment_details_enc = seal_details(claim.id, details)
            claim.payout_account_hash = payout_account_hash(method, details)
        for kind, cents, hours in _benefits(rng):
            db.session.add(
                ClaimBenefit(claim_id=claim.id, kind=kind, amount_cents=cents, hours=hours, description="Demo")
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
        return {"method": method, "paypal_email": person.email}
    if method == "mobile_money":
        return {"method": method, "provider": "M-Pesa", "phone_number": "+254 700 000 123"}
    return {}


def _benefits(rng: random.Random) -> list[tuple[str, int, float]]:
    choice = rng.randrange(4)
    if choice == 0:
        return [(BenefitKind.ALTERNATIVE_CASH, 10_000, 0)]
    if choice == 1:
        return [(BenefitKind.LOST_TIME, 2_500 * 3, 3), (BenefitKind.OUT_OF_POCKET, rng.randrange(2_000, 90_000), 0)]
    if choice == 2:
        return [(BenefitKind.MONITORING, 0, 0)]
    return [(BenefitKind.OUT_OF_POCKET, rng.randrange(2_000, 50_000), 0)]

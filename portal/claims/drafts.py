"""Where a claim stands: its settings, the draft saved at each step, and which steps remain.

A draft is a Claim row in status ``draft`` whose ``draft`` column holds the answers so far as
JSON, written at every step; so it outlives the 30-minute contractor session, and the person picks
up where they stopped after checking their details again. Payment details never go into it (they
are sealed into their own column, see payment.py).
"""

import json
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.exc import IntegrityError

from portal.claims.payment import PAYMENT_FIELDS, offered_methods
from portal.constants import BenefitKind
from portal.core.time import utcnow, utctoday
from portal.dao.claims import dao_add, dao_get_claim_settings
from portal.extensions import db
from portal.models import Claim, ClaimSettings, Incident

STEP_BENEFITS = "benefits"
STEP_LOSSES = "losses"
STEP_LOST_TIME = "lost-time"
STEP_PAYMENT = "payment"
STEP_PAYMENT_DETAILS = "payment-details"
STEP_CHECK = "check"
CASH_BENEFITS = (BenefitKind.OUT_OF_POCKET, BenefitKind.LOST_TIME, BenefitKind.ALTERNATIVE_CASH)


def claims_today() -> date:
    """Deadlines are whole days in UTC: a deadline of 1 March allows claims until 23:59 UTC that day."""
    return utctoday()


def claim_deadline_passed(incident: Incident) -> bool:
    return incident.claim_deadline is not None and claims_today() > incident.claim_deadline


def get_claim_settings(incident_id: int) -> ClaimSettings:
    """The incident's settings, created with the defaults (docs/claims.md) the first time they are needed."""
    settings = dao_get_claim_settings(incident_id)
    if settings is not None:
        return settings
    try:
        dao_add(ClaimSettings(incident_id=incident_id))
        db.session.commit()
    except IntegrityError:
        db.session.rollback()  # another request created them at the same moment: use theirs
    return dao_get_claim_settings(incident_id)


def enabled_benefits(settings: ClaimSettings) -> list[BenefitKind]:
    flags = (
        (BenefitKind.OUT_OF_POCKET, settings.out_of_pocket_enabled),
        (BenefitKind.LOST_TIME, settings.lost_time_enabled),
        (BenefitKind.ALTERNATIVE_CASH, settings.alternative_cash_enabled),
        (BenefitKind.MONITORING, settings.monitoring_instead_enabled),
    )
    return [kind for kind, enabled in flags if enabled]


def load_draft(claim: Claim) -> dict:
    try:
        draft = json.loads(claim.draft or "{}")
    except ValueError:
        draft = {}
    return draft if isinstance(draft, dict) else {}


def save_draft(claim: Claim, draft: dict) -> None:
    claim.draft = json.dumps(draft, sort_keys=True)
    claim.updated_at = utcnow()


def chosen_benefits(draft: dict) -> list[str]:
    return [kind for kind in draft.get("benefits", []) if kind in set(BenefitKind)]


def needs_payment(draft: dict) -> bool:
    return any(kind in CASH_BENEFITS for kind in chosen_benefits(draft))


def required_steps(claim: Claim, draft: dict) -> list[str]:
    chosen = chosen_benefits(draft)
    steps = [STEP_BENEFITS]
    if BenefitKind.OUT_OF_POCKET in chosen:
        steps.append(STEP_LOSSES)
    if BenefitKind.LOST_TIME in chosen:
        steps.append(STEP_LOST_TIME)
    if needs_payment(draft):
        steps.append(STEP_PAYMENT)
        if PAYMENT_FIELDS.get(claim.payment_method):
            steps.append(STEP_PAYMENT_DETAILS)
    return steps


def step_done(step: str, claim: Claim, draft: dict, settings: ClaimSettings) -> bool:
    if step == STEP_BENEFITS:
        return bool(chosen_benefits(draft))
    if step == STEP_LOSSES:
        return bool(draft.get("losses"))
    if step == STEP_LOST_TIME:
        return bool(draft.get("lost_time", {}).get("hours"))
    if step == STEP_PAYMENT:
        return claim.payment_method in offered_methods(settings)
    if step == STEP_PAYMENT_DETAILS:
        return bool(claim.payment_details_enc)
    return True


def next_step(claim: Claim, settings: ClaimSettings, after: str | None = None) -> str:
    """The first unfinished step; or, when ``after`` is given, the step that follows it."""
    draft = load_draft(claim)
    steps = required_steps(claim, draft)
    if after in steps:
        following = steps[steps.index(after) + 1 :]
        return following[0] if following else STEP_CHECK
    for step in steps:
        if not step_done(step, claim, draft, settings):
            return step
    return STEP_CHECK


def unfinished_steps(claim: Claim, settings: ClaimSettings) -> list[str]:
    draft = load_draft(claim)
    return [step for step in required_steps(claim, draft) if not step_done(step, claim, draft, settings)]


@dataclass
class LossLine:
    key: str
    amount_cents: int
    incurred_on: date | None
    description: str
    document_ids: list[int] = field(default_factory=list)


def draft_losses(draft: dict) -> list[LossLine]:
    lines = []
    for raw in draft.get("losses", []):
        incurred = raw.get("incurred_on")
        lines.append(
            LossLine(
                key=str(raw.get("key", "")),
                amount_cents=int(raw.get("amount_cents", 0)),
                incurred_on=date.fromisoformat(incurred) if incurred else None,
                description=str(raw.get("description", "")),
                document_ids=[int(i) for i in raw.get("document_ids", [])],
            )
        )
    return lines


def losses_total_cents(draft: dict, except_key: str | None = None) -> int:
    return sum(line.amount_cents for line in draft_losses(draft) if line.key != except_key)

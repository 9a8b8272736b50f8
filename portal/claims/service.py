"""Filing a claim, one step at a time, and submitting it. Business rules live here, not in the views.

The settlement rule we apply (docs/claims.md): documented out-of-pocket losses and lost time may be
claimed together; the fixed alternative cash payment is instead of those (it needs no documents),
and monitoring instead of cash is instead of any cash. So those two are each chosen on their own.
"""

import secrets
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from flask_babel import format_date
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from portal.claims.documents import attach_documents, delete_files, remove_documents
from portal.claims.drafts import (
    claim_deadline_passed,
    claims_today,
    enabled_benefits,
    load_draft,
    losses_total_cents,
    save_draft,
)
from portal.claims.money import format_money
from portal.claims.payment import (
    PAYMENT_FIELDS,
    offered_methods,
    payout_account_hash,
    seal_details,
)
from portal.claims.references import new_unique_reference
from portal.claims.uploads import UploadRejected
from portal.constants import BenefitKind, ClaimStatus
from portal.core.time import utcnow
from portal.dao.claims import (
    dao_add,
    dao_get_claim_by_person_and_incident,
)
from portal.dao.exclusions import dao_get_standing_exclusion
from portal.dao.exposures import dao_person_has_exposure
from portal.extensions import db
from portal.models import Claim, ClaimSettings, Incident, Person


class ClaimClosed(Exception):
    """Claims cannot be filed for this incident: ``reason`` is "deadline", "not_eligible" or
    "excluded" (the person asked to be excluded from the settlement and has not withdrawn it)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class ClaimAlreadySent(Exception):
    """The claim was sent already, by this request's twin (a double click) or earlier."""


class ClaimError(ValueError):
    """Answers that break a rule; ``problems`` maps a form field name to a sentence for the claimant."""

    def __init__(self, problems: dict):
        super().__init__("; ".join(str(message) for message in problems.values()))
        self.problems = problems


def _money(cents: int, settings: ClaimSettings) -> str:
    return format_money(cents, settings.currency)


def lost_time_cents(hours: Decimal, settings: ClaimSettings) -> int:
    return int((hours * settings.lost_time_rate_cents).to_integral_value(rounding=ROUND_HALF_UP))


# -- starting -------------------------------------------------------------------------------------------


def start_claim(person: Person, incident: Incident) -> tuple[Claim, bool]:
    """The person's claim for the incident, creating a draft if they have none. (claim, created).

    One claim per person per incident: a second start returns the first (the unique index on
    person and incident settles a race between two tabs).
    """
    existing = dao_get_claim_by_person_and_incident(person.id, incident.id)
    if existing is not None:
        return existing, False
    if not dao_person_has_exposure(person.id, incident.id):
        raise ClaimClosed("not_eligible")
    if claim_deadline_passed(incident):
        raise ClaimClosed("deadline")
    if is_excluded(person.id, incident.id):
        raise ClaimClosed("excluded")
    claim = Claim(
        reference=new_unique_reference(),
        person_id=person.id,
        incident_id=incident.id,
        status=ClaimStatus.DRAFT,
        draft="{}",
    )
    dao_add(claim)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return dao_get_claim_by_person_and_incident(person.id, incident.id), False
    return claim, True


def is_excluded(person_id: int, incident_id: int) -> bool:
    """The person stands excluded from the incident's settlement: excluded people get nothing from it."""
    return dao_get_standing_exclusion(person_id, incident_id) is not None


def ensure_editable_draft(claim: Claim, incident: Incident) -> None:
    """Every filing step checks again: a draft started in time cannot be sent late, nor by someone
    who has since asked to be excluded (until they withdraw that request)."""
    if claim_deadline_passed(incident):
        raise ClaimClosed("deadline")
    if is_excluded(claim.person_id, incident.id):
        raise ClaimClosed("excluded")


# -- the steps -------------------------------------------------------------------------------------------


def set_benefits(claim: Claim, settings: ClaimSettings, kinds: list[str]) -> None:
    offered = {str(kind) for kind in enabled_benefits(settings)}
    chosen = [kind for kind in kinds if kind in offered]
    if not chosen:
        raise ClaimError({"benefits": _l("Select what you want to claim")})
    if BenefitKind.ALTERNATIVE_CASH in chosen and len(chosen) > 1:
        raise ClaimError(
            {
                "benefits": _l(
                    "The fixed cash payment cannot be combined with other benefits. Choose it on "
                    "its own, or choose your documented losses and time instead"
                )
            }
        )
    if BenefitKind.MONITORING in chosen and len(chosen) > 1:
        raise ClaimError(
            {
                "benefits": _l(
                    "Monitoring instead of cash cannot be combined with a cash payment. Choose it "
                    "on its own, or choose the cash benefits instead"
                )
            }
        )
    draft = load_draft(claim)
    draft["benefits"] = chosen
    save_draft(claim, draft)
    db.session.commit()


def _upload_problem(field: str, error: UploadRejected) -> ClaimError:
    db.session.rollback()
    return ClaimError({field: error.message})


def add_loss(
    claim: Claim,
    settings: ClaimSettings,
    incident: Incident,
    amount_cents: int,
    incurred_on: date,
    description: str,
    files,
) -> None:
    problems = {}
    if amount_cents <= 0:
        problems["amount"] = _l("Enter an amount more than 0")
    else:
        room = settings.out_of_pocket_cap_cents - losses_total_cents(load_draft(claim))
        if amount_cents > room:
            problems["amount"] = _l(
                "Your losses can add up to %(cap)s in total. You can claim up to %(room)s more",
                cap=_money(settings.out_of_pocket_cap_cents, settings),
                room=_money(max(room, 0), settings),
            )
    if incurred_on > claims_today():
        problems["incurred_on"] = _l("The date of the loss must be today or in the past")
    elif incident.occurred_on and incurred_on < incident.occurred_on:
        problems["incurred_on"] = _l(
            "The date of the loss must be on or after %(date)s, when the breach happened",
            date=format_date(incident.occurred_on, "long"),
        )
    if problems:
        raise ClaimError(problems)
    try:
        documents = attach_documents(claim, settings, files)
    except UploadRejected as error:
        raise _upload_problem("proof", error) from error
    if not documents:
        raise ClaimError({"proof": _l("Upload proof of this loss, such as a receipt or a bank statement")})
    draft = load_draft(claim)
    draft.setdefault("losses", []).append(
        {
            "key": secrets.token_hex(4),
            "amount_cents": amount_cents,
            "incurred_on": incurred_on.isoformat(),
            "description": description,
            "document_ids": [document.id for document in documents],
        }
    )
    save_draft(claim, draft)
    db.session.commit()


def remove_loss(claim: Claim, key: str) -> None:
    draft = load_draft(claim)
    keep, gone = [], []
    for raw in draft.get("losses", []):
        (gone if raw.get("key") == key else keep).append(raw)
    names = remove_documents(claim, [i for raw in gone for i in raw.get("document_ids", [])])
    draft["losses"] = keep
    save_draft(claim, draft)
    db.session.commit()
    delete_files(names)


def lost_time_problem(hours: Decimal, document_count: int, settings: ClaimSettings):
    if hours <= 0:
        return _l("Enter the number of hours, more than 0")
    if hours > settings.lost_time_max_hours:
        return _l("You can claim up to %(max)d hours", max=settings.lost_time_max_hours)
    if hours > settings.lost_time_self_attested_hours and document_count == 0:
        return _l(
            "To claim more than %(hours)d hours, upload documents that show the time you spent",
            hours=settings.lost_time_self_attested_hours,
        )
    return None


def set_lost_time(claim: Claim, settings: ClaimSettings, hours: Decimal, description: str, files) -> None:
    draft = load_draft(claim)
    kept = draft.get("lost_time", {}).get("document_ids", [])
    new_files = [f for f in (files or []) if f and getattr(f, "filename", "")]
    problem = lost_time_problem(hours, len(kept) + len(new_files), settings)
    if problem:
        raise ClaimError({"hours": problem})
    try:
        documents = attach_documents(claim, settings, files)
    except UploadRejected as error:
        raise _upload_problem("documents", error) from error
    draft = load_draft(claim)
    draft["lost_time"] = {
        "hours": str(hours),
        "description": description,
        "document_ids": kept + [document.id for document in documents],
    }
    save_draft(claim, draft)
    db.session.commit()


def remove_lost_time_document(claim: Claim, document_id: int) -> None:
    draft = load_draft(claim)
    lost_time = draft.get("lost_time", {})
    if document_id not in lost_time.get("document_ids", []):
        return
    lost_time["document_ids"] = [i for i in lost_time["document_ids"] if i != document_id]
    names = remove_documents(claim, [document_id])
    save_draft(claim, draft)
    db.session.commit()
    delete_files(names)


def set_payment_method(claim: Claim, settings: ClaimSettings, method: str) -> None:
    if method not in offered_methods(settings):
        raise ClaimError({"method": _l("Select how you want to be paid")})
    if claim.payment_method != method:
        claim.payment_method = method
        claim.payment_details_enc = None
        claim.payout_account_hash = None
    claim.updated_at = utcnow()
    db.session.commit()


def set_payment_details(claim: Claim, details: dict) -> None:
    """Seal the details (already validated by the method's form) and keep the account's keyed hash."""
    method = claim.payment_method
    if not PAYMENT_FIELDS.get(method):
        return
    claim.payment_details_enc = seal_details(claim.id, {**details, "method": method})
    claim.payout_account_hash = payout_account_hash(method, details)
    claim.updated_at = utcnow()
    db.session.commit()

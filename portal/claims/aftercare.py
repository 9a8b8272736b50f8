"""What a claimant can do after sending a claim: answer a request for information, appeal a denial,
or withdraw it before it is decided.

Answering and appealing put the claim back in ``submitted`` for legal, keeping the whole history.
One appeal per claim: a claim denied again after its appeal is final. Withdrawing is final too:
one claim per person per incident, so a withdrawn claim cannot be replaced (docs/claims.md).
"""

from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l

from portal.claims.documents import attach_documents
from portal.claims.drafts import claims_today
from portal.claims.service import ClaimError
from portal.claims.status import change_status, contractor_actor
from portal.claims.uploads import UploadRejected
from portal.constants import CLAIM_OPEN_FOR_REVIEW, AuditAction, ClaimStatus
from portal.dao.claims import dao_claim_was_appealed
from portal.extensions import db
from portal.models import Claim, ClaimSettings, Person


@dataclass(frozen=True)
class AppealWindow:
    open: bool
    deadline: date | None
    already_appealed: bool


def appeal_window(claim: Claim) -> AppealWindow:
    appealed = dao_claim_was_appealed(claim.id)
    is_open = (
        claim.status == ClaimStatus.DENIED
        and not appealed
        and claim.appeal_deadline is not None
        and claims_today() <= claim.appeal_deadline
    )
    return AppealWindow(is_open, claim.appeal_deadline, appealed)


def can_answer_info_request(claim: Claim) -> bool:
    return claim.status == ClaimStatus.NEEDS_INFO and (
        claim.cure_deadline is None or claims_today() <= claim.cure_deadline
    )


def appeal_claim(claim: Claim, person: Person, statement: str) -> None:
    if not appeal_window(claim).open:
        raise ClaimError({"statement": _l("This decision can no longer be appealed")})
    change_status(
        claim, ClaimStatus.SUBMITTED, contractor_actor(person), AuditAction.CLAIM_APPEALED, note=statement.strip()
    )
    db.session.commit()


def answer_info_request(claim: Claim, person: Person, settings: ClaimSettings, answer: str, files) -> None:
    if not can_answer_info_request(claim):
        raise ClaimError(
            {"answer": _l("The deadline to answer this request has passed. Contact us to ask what you can do")}
        )
    try:
        documents = attach_documents(claim, settings, files)
    except UploadRejected as error:
        db.session.rollback()
        raise ClaimError({"documents": error.message}) from error
    change_status(
        claim,
        ClaimStatus.SUBMITTED,
        contractor_actor(person),
        AuditAction.CLAIM_INFO_PROVIDED,
        note=answer.strip(),
        details={"documents_added": len(documents)},
    )
    db.session.commit()


def can_withdraw(claim: Claim) -> bool:
    """Before a decision only: an approved claim is being paid, a denied one can simply be left."""
    return claim.status in CLAIM_OPEN_FOR_REVIEW


def withdraw_claim(claim: Claim, person: Person) -> None:
    if not can_withdraw(claim):
        raise ClaimError(
            {
                "confirm": _l(
                    "This claim has been decided, so it can no longer be withdrawn. Contact us if you need to change it"
                )
            }
        )
    change_status(claim, ClaimStatus.WITHDRAWN, contractor_actor(person), AuditAction.CLAIM_WITHDRAWN)
    db.session.commit()

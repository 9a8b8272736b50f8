"""What a claimant can do after sending a claim: answer a request for information, appeal a denial,
or withdraw it before it is decided.

Answering and appealing put the claim back in ``submitted`` for legal, keeping the whole history.
One appeal per claim: a claim denied again after its appeal is final. Withdrawing is final too:
one claim per person per incident, so a withdrawn claim cannot be replaced (docs/claims.md).
"""

from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l

from portal.claims.documents import attach_documents, delete_files
from portal.claims.drafts import claims_today
from portal.claims.service import ClaimError
from portal.claims.status import ClaimStatusChanged, change_status, contractor_actor
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


def _one_shot(claim: Claim, person: Person, to_status: str, action: str, refusal: dict, **extra) -> None:
    """The change, or ClaimError(refusal) if a twin request (a double click, another tab) made a change first."""
    try:
        change_status(claim, to_status, contractor_actor(person), action, **extra)
    except ClaimStatusChanged as changed:
        db.session.rollback()
        raise ClaimError(refusal) from changed
    db.session.commit()


def appeal_claim(claim: Claim, person: Person, statement: str) -> None:
    refusal = {"statement": _l("This decision can no longer be appealed")}
    if not appeal_window(claim).open:
        raise ClaimError(refusal)
    _one_shot(claim, person, ClaimStatus.SUBMITTED, AuditAction.CLAIM_APPEALED, refusal, note=statement.strip())


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
    try:
        _one_shot(
            claim,
            person,
            ClaimStatus.SUBMITTED,
            AuditAction.CLAIM_INFO_PROVIDED,
            {"answer": _l("Your answer was already sent. We will review your claim again")},
            note=answer.strip(),
            details={"documents_added": len(documents)},
        )
    except ClaimError:
        delete_files([document.stored_name for document in documents])  # stored for a change that never was
        raise


def can_withdraw(claim: Claim) -> bool:
    """Before a decision only: an approved claim is being paid, a denied one can simply be left."""
    return claim.status in CLAIM_OPEN_FOR_REVIEW


def withdraw_claim(claim: Claim, person: Person) -> None:
    refusal = {
        "confirm": _l(
            "This claim has been decided, so it can no longer be withdrawn. Contact us if you need to change it"
        )
    }
    if not can_withdraw(claim):
        raise ClaimError(refusal)
    _one_shot(claim, person, ClaimStatus.WITHDRAWN, AuditAction.CLAIM_WITHDRAWN, refusal)

"""A claim's status in plain words, and the one place a status changes (history + audit, together)."""

from flask_babel import lazy_gettext as _l

from portal.audit.chain import record_audit
from portal.constants import ClaimStatus
from portal.core.time import utcnow
from portal.dao.claims import dao_add, dao_move_claim_status
from portal.models import Claim, ClaimStatusChange

# What the claimant reads: no jargon, and what happens next.
STATUS_WORDS = {
    ClaimStatus.DRAFT: _l("Not sent yet"),
    ClaimStatus.SUBMITTED: _l("Received: waiting for review"),
    ClaimStatus.NEEDS_INFO: _l("We need more information from you"),
    ClaimStatus.APPROVED: _l("Approved: payment is being arranged"),
    ClaimStatus.DENIED: _l("Not approved"),
    ClaimStatus.PAID: _l("Paid"),
    ClaimStatus.WITHDRAWN: _l("Withdrawn"),
}
# What legal staff read in the queue and on a claim: the state of the work, not words to the claimant.
STAFF_STATUS_WORDS = {
    ClaimStatus.DRAFT: _l("Draft (not sent)"),
    ClaimStatus.SUBMITTED: _l("Waiting for review"),
    ClaimStatus.NEEDS_INFO: _l("Waiting for the claimant to answer"),
    ClaimStatus.APPROVED: _l("Approved, not yet paid"),
    ClaimStatus.DENIED: _l("Denied"),
    ClaimStatus.PAID: _l("Paid"),
    ClaimStatus.WITHDRAWN: _l("Withdrawn by the claimant"),
}
STATUS_EXPLANATIONS = {
    ClaimStatus.DRAFT: _l("You started this claim but have not sent it. Your answers are saved."),
    ClaimStatus.SUBMITTED: _l("We have your claim. Someone will review it; you do not need to do anything now."),
    ClaimStatus.NEEDS_INFO: _l("Read what we need below and answer before the deadline."),
    ClaimStatus.APPROVED: _l("Your claim was approved. We will send the payment using the method you chose."),
    ClaimStatus.DENIED: _l("Your claim was not approved. The reason is below."),
    ClaimStatus.PAID: _l("The payment for your claim has been sent."),
    ClaimStatus.WITHDRAWN: _l("This claim was withdrawn."),
}
# How each change reads in the claimant's history.
CHANGE_WORDS = {
    (ClaimStatus.DRAFT, ClaimStatus.SUBMITTED): _l("You sent your claim"),
    (ClaimStatus.SUBMITTED, ClaimStatus.NEEDS_INFO): _l("We asked you for more information"),
    (ClaimStatus.NEEDS_INFO, ClaimStatus.SUBMITTED): _l("You sent the information we asked for"),
    (ClaimStatus.DENIED, ClaimStatus.SUBMITTED): _l("You appealed the decision"),
    (ClaimStatus.APPROVED, ClaimStatus.PAID): _l("Payment sent"),
    (ClaimStatus.SUBMITTED, ClaimStatus.WITHDRAWN): _l("You withdrew your claim"),
    (ClaimStatus.NEEDS_INFO, ClaimStatus.WITHDRAWN): _l("You withdrew your claim"),
}
TO_WORDS = {
    ClaimStatus.APPROVED: _l("Your claim was approved"),
    ClaimStatus.DENIED: _l("Your claim was not approved"),
    ClaimStatus.WITHDRAWN: _l("The claim was withdrawn"),
}


def status_words(status: str):
    return STATUS_WORDS.get(status, status)


def staff_status_words(status: str):
    return STAFF_STATUS_WORDS.get(status, status)


def change_words(change: ClaimStatusChange):
    return (
        CHANGE_WORDS.get((change.from_status, change.to_status))
        or TO_WORDS.get(change.to_status)
        or status_words(change.to_status)
    )


def contractor_actor(person) -> str:
    return f"contractor:{person.uid}"


class ClaimStatusChanged(Exception):
    """Someone else changed the claim's status first (a double click, a second tab, another reviewer):
    nothing was written, and the caller's transaction must be rolled back."""


def change_status(
    claim: Claim, to_status: str, actor: str, action: str, note: str = "", details: dict | None = None
) -> ClaimStatusChange:
    """Move ``claim`` from the status it was read with to ``to_status``: one conditional UPDATE, then the
    history row and the audit event in the same transaction. Raises ClaimStatusChanged if the row no
    longer has that status, so of two requests racing to make the same change exactly one makes it."""
    from_status = str(claim.status)
    if not dao_move_claim_status(claim, from_status, str(to_status)):
        raise ClaimStatusChanged(claim.reference)
    change = ClaimStatusChange(
        claim_id=claim.id, from_status=from_status, to_status=str(to_status), actor=actor, note=note, at=utcnow()
    )
    dao_add(change)
    record_audit(
        action,
        f"claim:{claim.reference}",
        {"from": change.from_status, "to": change.to_status, **(details or {})},
        actor=actor,
    )
    return change

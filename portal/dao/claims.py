"""Queries about claims, their documents, history and fraud signals."""

from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import aliased
from sqlalchemy.orm.attributes import set_committed_value

from portal.constants import CLAIM_FILED
from portal.extensions import db
from portal.models import (
    Claim,
    ClaimDocument,
    ClaimSettings,
    ClaimStatusChange,
    FraudSignal,
    Incident,
)


def dao_get_claim_settings(incident_id: int) -> ClaimSettings | None:
    return db.session.get(ClaimSettings, incident_id)


def dao_add(row) -> None:
    db.session.add(row)


def dao_get_claim_by_person_and_incident(person_id: int, incident_id: int) -> Claim | None:
    return db.session.scalar(select(Claim).where(Claim.person_id == person_id, Claim.incident_id == incident_id))


def dao_get_claim_for_person(claim_id: int, person_id: int) -> Claim | None:
    """The claim only if it is this person's: anyone else's id looks exactly like a missing one."""
    return db.session.scalar(select(Claim).where(Claim.id == claim_id, Claim.person_id == person_id))


def dao_get_claims_with_incidents_for_person(person_id: int) -> list[tuple[Claim, Incident]]:
    rows = db.session.execute(
        select(Claim, Incident)
        .join(Incident, Incident.id == Claim.incident_id)
        .where(Claim.person_id == person_id)
        .order_by(Claim.created_at.desc(), Claim.id.desc())
    )
    return [(claim, incident) for claim, incident in rows]


def dao_get_claim(claim_id: int) -> Claim | None:
    return db.session.get(Claim, claim_id)


def dao_get_claim_by_reference(reference: str) -> Claim | None:
    return db.session.scalar(select(Claim).where(Claim.reference == reference))


def dao_claim_reference_exists(reference: str) -> bool:
    return db.session.scalar(select(Claim.id).where(Claim.reference == reference)) is not None


# -- documents ------------------------------------------------------------------------------------


def dao_get_claim_documents(claim_id: int) -> list[ClaimDocument]:
    return list(
        db.session.scalars(select(ClaimDocument).where(ClaimDocument.claim_id == claim_id).order_by(ClaimDocument.id))
    )


def dao_get_claim_document(claim_id: int, document_id: int) -> ClaimDocument | None:
    """A document only through its own claim, so a document id from another claim is a 404."""
    return db.session.scalar(
        select(ClaimDocument).where(ClaimDocument.id == document_id, ClaimDocument.claim_id == claim_id)
    )


def dao_get_claim_bytes_used(claim_id: int) -> int:
    total = db.session.scalar(
        select(func.coalesce(func.sum(ClaimDocument.size_bytes), 0)).where(ClaimDocument.claim_id == claim_id)
    )
    return int(total or 0)


def dao_delete(row) -> None:
    db.session.delete(row)


# -- history ----------------------------------------------------------------------------------------


def dao_get_status_history(claim_id: int) -> list[ClaimStatusChange]:
    return list(
        db.session.scalars(
            select(ClaimStatusChange)
            .where(ClaimStatusChange.claim_id == claim_id)
            .order_by(ClaimStatusChange.at, ClaimStatusChange.id)
        )
    )


def dao_claim_was_appealed(claim_id: int) -> bool:
    from portal.constants import ClaimStatus

    found = db.session.scalar(
        select(ClaimStatusChange.id)
        .where(
            ClaimStatusChange.claim_id == claim_id,
            ClaimStatusChange.from_status == ClaimStatus.DENIED,
            ClaimStatusChange.to_status == ClaimStatus.SUBMITTED,
        )
        .limit(1)
    )
    return found is not None


# -- fraud signals ------------------------------------------------------------------------------------


def dao_get_fraud_signals(claim_id: int) -> list[FraudSignal]:
    return list(
        db.session.scalars(select(FraudSignal).where(FraudSignal.claim_id == claim_id).order_by(FraudSignal.kind))
    )


def dao_get_fraud_signal(claim_id: int, kind: str) -> FraudSignal | None:
    return db.session.scalar(select(FraudSignal).where(FraudSignal.claim_id == claim_id, FraudSignal.kind == kind))


def dao_find_filed_claims_by_payout_hash(payout_hash: str, other_than_person_id: int) -> list[Claim]:
    return list(
        db.session.scalars(
            select(Claim)
            .where(
                Claim.payout_account_hash == payout_hash,
                Claim.person_id != other_than_person_id,
                Claim.status.in_(CLAIM_FILED),
            )
            .order_by(Claim.id)
        )
    )


def dao_find_filed_claims_from_ip_since(ip: str, since: datetime) -> list[Claim]:
    return list(
        db.session.scalars(
            select(Claim)
            .where(
                Claim.attestation_ip == ip,
                Claim.submitted_at >= since,
                Claim.status.in_(CLAIM_FILED),
            )
            .order_by(Claim.id)
        )
    )


def dao_find_filed_claims_with_match_key(key: str, other_than_person_id: int) -> list[Claim]:
    """Claims whose stored answers carry ``key`` (a keyed hash, see claims/fraud.py).

    A scan of the draft column rather than an index: the schema has no column for these keys yet
    (docs/claims.md, "Scaling the identity check").
    """
    return list(
        db.session.scalars(
            select(Claim)
            .where(
                Claim.draft.contains(key, autoescape=True),
                Claim.person_id != other_than_person_id,
                Claim.status.in_(CLAIM_FILED),
            )
            .order_by(Claim.id)
        )
    )


def dao_find_filed_claims_sharing_documents(claim_id: int) -> list[Claim]:
    """Other filed claims holding a document with the same SHA-256 as one of ``claim_id``'s."""
    mine = aliased(ClaimDocument)
    theirs = aliased(ClaimDocument)
    return list(
        db.session.scalars(
            select(Claim)
            .join(theirs, theirs.claim_id == Claim.id)
            .join(mine, mine.sha256 == theirs.sha256)
            .where(mine.claim_id == claim_id, Claim.id != claim_id, Claim.status.in_(CLAIM_FILED))
            .distinct()
            .order_by(Claim.id)
        )
    )


# -- the review queue ---------------------------------------------------------------------------------


def dao_get_claim_queue(
    statuses, incident_id: int | None, signal: str | None, page: int, per_page: int = 50
) -> tuple[list[tuple[Claim, Incident]], int]:
    """Filed claims, oldest submission first (first come, first reviewed), with the total count.

    ``signal``: a FraudSignalKind, "any" (at least one signal) or "none" (no signal), or None.
    """
    query = (
        select(Claim, Incident).join(Incident, Incident.id == Claim.incident_id).where(Claim.status.in_(list(statuses)))
    )
    if incident_id:
        query = query.where(Claim.incident_id == incident_id)
    has_signal = select(FraudSignal.id).where(FraudSignal.claim_id == Claim.id)
    if signal == "any":
        query = query.where(has_signal.exists())
    elif signal == "none":
        query = query.where(~has_signal.exists())
    elif signal:
        query = query.where(has_signal.where(FraudSignal.kind == signal).exists())
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = db.session.execute(
        query.order_by(Claim.submitted_at, Claim.id).offset((page - 1) * per_page).limit(per_page)
    )
    return [(claim, incident) for claim, incident in rows], total


def dao_get_signal_kinds_for_claims(claim_ids: list[int]) -> dict[int, list[str]]:
    if not claim_ids:
        return {}
    kinds: dict[int, list[str]] = {}
    for claim_id, kind in db.session.execute(
        select(FraudSignal.claim_id, FraudSignal.kind)
        .where(FraudSignal.claim_id.in_(claim_ids))
        .order_by(FraudSignal.kind)
    ):
        kinds.setdefault(claim_id, []).append(kind)
    return kinds


def dao_lock_claim(claim_id: int) -> Claim | None:
    """The claim, locked for this transaction on PostgreSQL, so two reviewers cannot both decide it.

    SQLite has no row locks; its single writer gives the same effect.
    """
    return db.session.scalar(
        select(Claim).where(Claim.id == claim_id).with_for_update().execution_options(populate_existing=True)
    )


def dao_move_claim_status(claim: Claim, from_status: str, to_status: str) -> bool:
    """``UPDATE claims SET status = to WHERE id = … AND status = from``: False if the claim no longer has
    ``from_status`` (another request changed it first). On PostgreSQL a concurrent request waits on the
    row here until the first commits, then finds the status moved on."""
    result = db.session.execute(
        update(Claim)
        .where(Claim.id == claim.id, Claim.status == from_status)
        .values(status=to_status)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        return False
    set_committed_value(claim, "status", to_status)
    return True


def dao_get_appealed_denier(claim_id: int) -> str | None:
    """Who (``staff:<id>``) made the denial this claim is under appeal against; None if not appealed."""
    from portal.constants import ClaimStatus

    denier, appealed_from = None, None
    for change in dao_get_status_history(claim_id):
        if change.to_status == ClaimStatus.DENIED:
            denier = change.actor
        elif change.from_status == ClaimStatus.DENIED and change.to_status == ClaimStatus.SUBMITTED:
            appealed_from = denier
    return appealed_from


def dao_get_person_claims(person_id: int) -> list[tuple[Claim, str]]:
    query = (
        select(Claim, Incident.title)
        .join(Incident, Incident.id == Claim.incident_id)
        .where(Claim.person_id == person_id)
        .order_by(Claim.created_at.desc())
    )
    return [tuple(row) for row in db.session.execute(query)]


def dao_claims_of_person(person_id: int) -> list[tuple[Claim, Incident]]:
    rows = db.session.execute(
        select(Claim, Incident)
        .join(Incident, Incident.id == Claim.incident_id)
        .where(Claim.person_id == person_id)
        .order_by(Claim.id)
    )
    return [(claim, incident) for claim, incident in rows]


def dao_claim_children(claim_ids: list[int]) -> tuple[list[ClaimDocument], list[ClaimStatusChange]]:
    if not claim_ids:
        return [], []
    documents = db.session.scalars(
        select(ClaimDocument).where(ClaimDocument.claim_id.in_(claim_ids)).order_by(ClaimDocument.id)
    )
    changes = db.session.scalars(
        select(ClaimStatusChange).where(ClaimStatusChange.claim_id.in_(claim_ids)).order_by(ClaimStatusChange.id)
    )
    return list(documents), list(changes)

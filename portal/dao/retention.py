"""Queries of the retention schedule and the statements `flask portal purge` runs, one incident at a time."""

from datetime import date, datetime

from sqlalchemy import delete, exists, func, or_, select, update

from portal.constants import ClaimStatus
from portal.dao.erasure import ERASED_PREFIX
from portal.dao.sql import bulk_rowcount
from portal.extensions import db
from portal.models import (
    Batch,
    Claim,
    ClaimBenefit,
    ClaimDocument,
    ClaimStatusChange,
    Exposure,
    Incident,
    LegalHold,
    NoticeCode,
    Notification,
    OutboxMessage,
    Person,
)

_UNSETTLED = (ClaimStatus.SUBMITTED, ClaimStatus.NEEDS_INFO, ClaimStatus.APPROVED)


def dao_incident_payment_state(incident_id: int, today: date) -> tuple[date | None, bool]:
    """(the last payment's date, whether every claim is settled: none open, unpaid or appealable)."""
    paid_at = db.session.scalar(
        select(func.max(ClaimStatusChange.at))
        .join(Claim, Claim.id == ClaimStatusChange.claim_id)
        .where(Claim.incident_id == incident_id, ClaimStatusChange.to_status == ClaimStatus.PAID)
    )
    unsettled = db.session.scalar(
        select(func.count())
        .select_from(Claim)
        .where(
            Claim.incident_id == incident_id,
            or_(
                Claim.status.in_(_UNSETTLED),
                (Claim.status == ClaimStatus.DENIED) & (Claim.appeal_deadline >= today),
            ),
        )
    )
    return (paid_at.date() if paid_at else None), not unsettled


def dao_holds() -> dict[int, LegalHold]:
    return {hold.incident_id: hold for hold in db.session.scalars(select(LegalHold))}


def dao_get_hold(incident_id: int) -> LegalHold | None:
    return db.session.get(LegalHold, incident_id)


def dao_add_hold(hold: LegalHold) -> None:
    db.session.add(hold)
    db.session.flush()


def dao_delete_hold(incident_id: int) -> bool:
    return bulk_rowcount(delete(LegalHold).where(LegalHold.incident_id == incident_id)) == 1


def dao_lock_incident(incident_id: int) -> None:
    """Purging an incident and setting a hold on it wait for each other: a hold set while a purge runs
    is seen by it, or waits for it to finish."""
    db.session.execute(select(Incident.id).where(Incident.id == incident_id).with_for_update())


def dao_purge_notice_codes(incident_id: int) -> int:
    codes = select(NoticeCode.id).where(NoticeCode.incident_id == incident_id)
    bulk_rowcount(update(Notification).where(Notification.notice_code_id.in_(codes)).values(notice_code_id=None))
    return bulk_rowcount(delete(NoticeCode).where(NoticeCode.incident_id == incident_id))


def dao_letter_files_of_incident(incident_id: int) -> list[str]:
    return list(
        db.session.scalars(select(Batch.letter_file).where(Batch.incident_id == incident_id, Batch.letter_file != ""))
    )


def dao_forget_letter_files(incident_id: int) -> int:
    """The file's SHA-256 stays on the batch (and in the audit log) as proof of what was sent."""
    return bulk_rowcount(
        update(Batch).where(Batch.incident_id == incident_id, Batch.letter_file != "").values(letter_file="")
    )


def dao_purge_payment_details(incident_id: int) -> int:
    return bulk_rowcount(
        update(Claim)
        .where(Claim.incident_id == incident_id, Claim.payment_details_enc.is_not(None))
        .values(payment_details_enc=None, payout_account_hash=None)
    )


def dao_proof_files_of_incident(incident_id: int) -> list[str]:
    claims = select(Claim.id).where(Claim.incident_id == incident_id)
    return list(db.session.scalars(select(ClaimDocument.stored_name).where(ClaimDocument.claim_id.in_(claims))))


def dao_purge_proof_rows(incident_id: int) -> int:
    claims = select(Claim.id).where(Claim.incident_id == incident_id)
    return bulk_rowcount(delete(ClaimDocument).where(ClaimDocument.claim_id.in_(claims)))


def dao_anonymise_claim_fields(incident_id: int) -> int:
    claims = select(Claim.id).where(Claim.incident_id == incident_id)
    bulk_rowcount(
        update(ClaimBenefit)
        .where(ClaimBenefit.claim_id.in_(claims), ClaimBenefit.description != "")
        .values(description="")
    )
    bulk_rowcount(
        update(ClaimStatusChange)
        .where(ClaimStatusChange.claim_id.in_(claims), ClaimStatusChange.note != "")
        .values(note="")
    )
    return bulk_rowcount(
        update(Claim)
        .where(
            Claim.incident_id == incident_id,
            or_(
                Claim.attestation_name != "", Claim.attestation_ip != "", Claim.draft != "{}", Claim.info_request != ""
            ),
        )
        .values(attestation_name="", attestation_ip="", draft="{}", info_request="")
    )


def dao_people_only_in(incident_id: int, other_incidents_not_due: list[int]) -> list[int]:
    """People exposed in the incident, not yet anonymised, and in no incident whose register is not due."""
    in_incident = select(Exposure.person_id).where(Exposure.incident_id == incident_id)
    query = select(Person.id).where(Person.id.in_(in_incident), Person.contractor_id.not_like(f"{ERASED_PREFIX}%"))
    if other_incidents_not_due:
        elsewhere = exists().where(Exposure.person_id == Person.id, Exposure.incident_id.in_(other_incidents_not_due))
        query = query.where(~elsewhere)
    return list(db.session.scalars(query.order_by(Person.id)))


def dao_purge_outbox_before(cutoff: datetime) -> int:
    return bulk_rowcount(delete(OutboxMessage).where(OutboxMessage.created_at < cutoff))

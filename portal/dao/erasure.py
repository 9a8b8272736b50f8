"""The statements that erase one person (portal/privacy/erasure.py says what is kept and why)."""

from sqlalchemy import delete, select, update

from portal.constants import ClaimStatus
from portal.dao.sql import bulk_rowcount
from portal.extensions import db
from portal.models import (
    Claim,
    ClaimBenefit,
    ClaimDocument,
    ClaimStatusChange,
    DataRequest,
    ExclusionRequest,
    Exposure,
    FraudSignal,
    MonitoringEnrollment,
    NoticeCode,
    Notification,
    NotificationEvent,
    OutboxMessage,
    Person,
    StepCompletion,
    Subscription,
)

# An erased person's contractor id: what tells every page the person is gone.
ERASED_PREFIX = "erased-"


def dao_lock_person(person_id: int) -> Person | None:
    return db.session.scalar(select(Person).where(Person.id == person_id).with_for_update())


def dao_stored_names_of_person(person_id: int) -> list[str]:
    claim_ids = select(Claim.id).where(Claim.person_id == person_id)
    return list(db.session.scalars(select(ClaimDocument.stored_name).where(ClaimDocument.claim_id.in_(claim_ids))))


def dao_erase_claims(person_id: int) -> dict[str, int]:
    """A paid claim keeps its amounts, dates and status (payment records the law makes us keep);
    everything that names or reaches the person goes. Every other claim goes whole."""
    all_claims = select(Claim.id).where(Claim.person_id == person_id)
    kept = select(Claim.id).where(Claim.person_id == person_id, Claim.status == ClaimStatus.PAID)
    dropped = select(Claim.id).where(Claim.person_id == person_id, Claim.status != ClaimStatus.PAID)
    counts = {"claim_document": bulk_rowcount(delete(ClaimDocument).where(ClaimDocument.claim_id.in_(all_claims)))}
    for model in (ClaimStatusChange, FraudSignal, ClaimBenefit):
        bulk_rowcount(delete(model).where(model.claim_id.in_(dropped)))
    counts["claim_deleted"] = bulk_rowcount(delete(Claim).where(Claim.id.in_(dropped)))
    counts["claim_anonymised"] = bulk_rowcount(
        update(Claim)
        .where(Claim.id.in_(kept))
        .values(
            attestation_name="",
            attestation_ip="",
            draft="{}",
            payment_details_enc=None,
            payout_account_hash=None,
            info_request="",
            decision_reason="",
        )
    )
    bulk_rowcount(update(ClaimBenefit).where(ClaimBenefit.claim_id.in_(kept)).values(description=""))
    bulk_rowcount(update(ClaimStatusChange).where(ClaimStatusChange.claim_id.in_(kept)).values(note=""))
    bulk_rowcount(update(FraudSignal).where(FraudSignal.claim_id.in_(kept)).values(detail=""))
    return counts


def dao_erase_contact_trail(person_id: int, email: str) -> dict[str, int]:
    notifications = select(Notification.id).where(Notification.person_id == person_id)
    bulk_rowcount(
        update(Notification).where(Notification.person_id == person_id).values(notice_code_id=None, last_error="")
    )
    counts = {
        "notification_event": bulk_rowcount(
            update(NotificationEvent).where(NotificationEvent.notification_id.in_(notifications)).values(reason="")
        ),
        "notice_code": bulk_rowcount(delete(NoticeCode).where(NoticeCode.person_id == person_id)),
        "outbox_message": bulk_rowcount(delete(OutboxMessage).where(OutboxMessage.to_address == email)) if email else 0,
        "step_completion": bulk_rowcount(delete(StepCompletion).where(StepCompletion.person_id == person_id)),
        "subscription": bulk_rowcount(delete(Subscription).where(Subscription.person_id == person_id)),
    }
    # The enrollment stays (its activation code must never go to someone else) without the consent IP.
    counts["monitoring_enrollment"] = bulk_rowcount(
        update(MonitoringEnrollment).where(MonitoringEnrollment.person_id == person_id).values(consent_ip="")
    )
    counts["exposure"] = bulk_rowcount(update(Exposure).where(Exposure.person_id == person_id).values(detail=""))
    counts["exclusion_request"] = bulk_rowcount(
        update(ExclusionRequest)
        .where(ExclusionRequest.person_id == person_id)
        .values(typed_name="", reason="", request_ip="")
    )
    counts["data_request"] = bulk_rowcount(
        update(DataRequest).where(DataRequest.person_id == person_id).values(details="")
    )
    return counts


def dao_anonymise_person(person: Person) -> None:
    person.first_name = ""
    person.last_name = ""
    person.email = ""
    person.email_bidx = None
    person.region = ""
    person.contractor_id = f"{ERASED_PREFIX}{person.uid}"
    for field in ("phone", "address", "date_of_birth", "national_id_last4"):
        setattr(person, f"{field}_enc", None)
    db.session.flush()

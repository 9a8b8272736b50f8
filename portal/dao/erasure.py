"""The statements that erase one person (portal/privacy/erasure.py says what is kept and why)."""

from sqlalchemy import delete, select, update

from portal.constants import ClaimStatus
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


def _run(statement) -> int:
    return db.session.execute(statement.execution_options(synchronize_session=False)).rowcount or 0


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
    counts = {"claim_document": _run(delete(ClaimDocument).where(ClaimDocument.claim_id.in_(all_claims)))}
    for model in (ClaimStatusChange, FraudSignal, ClaimBenefit):
        _run(delete(model).where(model.claim_id.in_(dropped)))
    counts["claim_deleted"] = _run(delete(Claim).where(Claim.id.in_(dropped)))
    counts["claim_anonymised"] = _run(
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
    _run(update(ClaimBenefit).where(ClaimBenefit.claim_id.in_(kept)).values(description=""))
    _run(update(ClaimStatusChange).where(ClaimStatusChange.claim_id.in_(kept)).values(note=""))
    _run(update(FraudSignal).where(FraudSignal.claim_id.in_(kept)).values(detail=""))
    return counts


def dao_erase_contact_trail(person_id: int, email: str) -> dict[str, int]:
    notifications = select(Notification.id).where(Notification.person_id == person_id)
    _run(update(Notification).where(Notification.person_id == person_id).values(notice_code_id=None, last_error=""))
    counts = {
        "notification_event": _run(
            update(NotificationEvent).where(NotificationEvent.notification_id.in_(notifications)).values(reason="")
        ),
        "notice_code": _run(delete(NoticeCode).where(NoticeCode.person_id == person_id)),
        "outbox_message": _run(delete(OutboxMessage).where(OutboxMessage.to_address == email)) if email else 0,
        "step_completion": _run(delete(StepCompletion).where(StepCompletion.person_id == person_id)),
        "subscription": _run(delete(Subscription).where(Subscription.person_id == person_id)),
    }
    # The enrollment stays (its activation code must never go to someone else) without the consent IP.
    counts["monitoring_enrollment"] = _run(
        update(MonitoringEnrollment).where(MonitoringEnrollment.person_id == person_id).values(consent_ip="")
    )
    counts["exposure"] = _run(update(Exposure).where(Exposure.person_id == person_id).values(detail=""))
    counts["exclusion_request"] = _run(
        update(ExclusionRequest)
        .where(ExclusionRequest.person_id == person_id)
        .values(typed_name="", reason="", request_ip="")
    )
    counts["data_request"] = _run(update(DataRequest).where(DataRequest.person_id == person_id).values(details=""))
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

"""Everything the portal holds about one person, table by table (the access copy and the erasure)."""

from sqlalchemy import select

from portal.extensions import db
from portal.models import (
    Batch,
    Claim,
    ClaimDocument,
    ClaimStatusChange,
    ExclusionRequest,
    Exposure,
    Incident,
    MonitoringEnrollment,
    MonitoringProduct,
    NoticeCode,
    Notification,
    OutboxMessage,
    StepCompletion,
    Subscription,
)

# Tables whose rows belong to one person through person_id, in the order the access copy lists them.
PERSON_TABLES = (
    Exposure,
    NoticeCode,
    Notification,
    StepCompletion,
    MonitoringEnrollment,
    Subscription,
    Claim,
    ExclusionRequest,
)


def dao_rows_of_person(model, person_id: int) -> list:
    return list(db.session.scalars(select(model).where(model.person_id == person_id).order_by(model.id)))


def dao_notices_of_person(person_id: int) -> list[tuple[Notification, Batch]]:
    rows = db.session.execute(
        select(Notification, Batch)
        .join(Batch, Batch.id == Notification.batch_id)
        .where(Notification.person_id == person_id)
        .order_by(Notification.id)
    )
    return [(notification, batch) for notification, batch in rows]


def dao_enrollments_of_person(person_id: int) -> list[tuple[MonitoringEnrollment, MonitoringProduct]]:
    rows = db.session.execute(
        select(MonitoringEnrollment, MonitoringProduct)
        .join(MonitoringProduct, MonitoringProduct.id == MonitoringEnrollment.product_id)
        .where(MonitoringEnrollment.person_id == person_id)
        .order_by(MonitoringEnrollment.id)
    )
    return [(enrollment, product) for enrollment, product in rows]


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


def dao_outbox_for_address(address: str) -> list[OutboxMessage]:
    if not address:
        return []
    return list(
        db.session.scalars(select(OutboxMessage).where(OutboxMessage.to_address == address).order_by(OutboxMessage.id))
    )

"""What happened to one person, for the support page: notices, delivery events, claims, enrollments."""

from collections import defaultdict

from sqlalchemy import select

from portal.extensions import db
from portal.models import (
    Batch,
    Claim,
    ExclusionRequest,
    Incident,
    MonitoringEnrollment,
    MonitoringProduct,
    NoticeTemplate,
    NoticeTemplateVersion,
    Notification,
    NotificationEvent,
    Subscription,
)


def dao_get_person_notifications(person_id: int) -> list[tuple[Notification, Batch, str, int]]:
    """(notification, batch, template name, version number), newest batch first."""
    query = (
        select(Notification, Batch, NoticeTemplate.name, NoticeTemplateVersion.version)
        .join(Batch, Batch.id == Notification.batch_id)
        .join(NoticeTemplateVersion, NoticeTemplateVersion.id == Batch.template_version_id)
        .join(NoticeTemplate, NoticeTemplate.id == NoticeTemplateVersion.template_id)
        .where(Notification.person_id == person_id)
        .order_by(Notification.id.desc())
    )
    return [tuple(row) for row in db.session.execute(query)]


def dao_get_notification_events(notification_ids: list[int]) -> dict[int, list[NotificationEvent]]:
    if not notification_ids:
        return {}
    query = (
        select(NotificationEvent)
        .where(NotificationEvent.notification_id.in_(notification_ids))
        .order_by(NotificationEvent.occurred_at, NotificationEvent.id)
    )
    events: dict[int, list[NotificationEvent]] = defaultdict(list)
    for event in db.session.scalars(query):
        events[event.notification_id].append(event)
    return dict(events)


def dao_get_person_claims(person_id: int) -> list[tuple[Claim, str]]:
    query = (
        select(Claim, Incident.title)
        .join(Incident, Incident.id == Claim.incident_id)
        .where(Claim.person_id == person_id)
        .order_by(Claim.created_at.desc())
    )
    return [tuple(row) for row in db.session.execute(query)]


def dao_get_person_enrollments(person_id: int) -> list[tuple[MonitoringEnrollment, str]]:
    query = (
        select(MonitoringEnrollment, MonitoringProduct.name)
        .join(MonitoringProduct, MonitoringProduct.id == MonitoringEnrollment.product_id)
        .where(MonitoringEnrollment.person_id == person_id)
        .order_by(MonitoringEnrollment.created_at.desc())
    )
    return [tuple(row) for row in db.session.execute(query)]


def dao_get_person_subscriptions(person_id: int) -> list[tuple[Subscription, str]]:
    query = (
        select(Subscription, Incident.title)
        .join(Incident, Incident.id == Subscription.incident_id)
        .where(Subscription.person_id == person_id)
        .order_by(Subscription.subscribed_at.desc())
    )
    return [tuple(row) for row in db.session.execute(query)]


def dao_get_person_exclusions(person_id: int) -> list[tuple[ExclusionRequest, str]]:
    query = (
        select(ExclusionRequest, Incident.title)
        .join(Incident, Incident.id == ExclusionRequest.incident_id)
        .where(ExclusionRequest.person_id == person_id)
        .order_by(ExclusionRequest.requested_at.desc())
    )
    return [tuple(row) for row in db.session.execute(query)]

"""A batch's audience as SQL on ``person``: the one place an audience becomes a query.

The count on the batch page, the row-by-row preview, the freeze at approval and the legal
compliance figures all build on ``audience_select``, so the number the approver reads is the number
of notifications written. The audience itself (a saved filter or an uploaded list, stored as JSON)
is portal/batches/audience.py. A reminder audience is one more condition (``reminder_condition``).
"""

import json

from sqlalchemy import JSON, and_, bindparam, case, cast, exists, func, literal, literal_column, or_, select
from sqlalchemy.orm import aliased
from sqlalchemy.sql import ColumnElement, Select

from portal.constants import NOTIFICATION_BOUNCED, NOTIFICATION_NOTIFIED, AudienceKind, Channel, ClaimStatus, Reminder
from portal.dao.sql import is_postgres
from portal.models import (
    Batch,
    Claim,
    ContactChange,
    Exposure,
    MonitoringEnrollment,
    MonitoringProduct,
    NoticeCode,
    Notification,
    Person,
    ReturnedLetter,
)

DEFAULT_LANGUAGE = "en"
# Monitoring that needs a US credit file (portal/monitoring/service.py: is_eligible).
_US, _US_CREDIT_CATEGORY = "US", "national_id"


def _json_strings(values: tuple[str, ...]) -> Select:
    """A one-column SELECT of the strings in a JSON array passed as ONE parameter.

    An IN list of bound values would hit PostgreSQL's 65,535-parameter limit with a large upload;
    one JSON parameter has no such limit on either database.
    """
    document = bindparam("contractor_ids_json", json.dumps(list(values)), unique=True)
    if is_postgres():
        return select(func.json_array_elements_text(cast(document, JSON)))
    return select(literal_column("value")).select_from(func.json_each(document))


def _notifications_in_incident(incident_id: int):
    return (
        select(Notification.id)
        .join(Batch, Batch.id == Notification.batch_id)
        .where(Batch.incident_id == incident_id, Notification.person_id == Person.id)
    )


def _never_notified(incident_id: int) -> ColumnElement:
    reached = _notifications_in_incident(incident_id).where(Notification.status.in_(NOTIFICATION_NOTIFIED))
    return ~exists(reached)


def _last_notice_bounced(incident_id: int) -> ColumnElement:
    # Two aliases, or the inner MAX would correlate to the outer notification instead of the person.
    earlier, latest = aliased(Notification), aliased(Notification)
    latest_id = (
        select(func.max(earlier.id))
        .join(Batch, Batch.id == earlier.batch_id)
        .where(Batch.incident_id == incident_id, earlier.person_id == Person.id)
        .correlate(Person)
        .scalar_subquery()
    )
    return exists(select(latest.id).where(latest.id == latest_id, latest.status.in_(NOTIFICATION_BOUNCED)))


def _reachable_by(channel: str) -> ColumnElement:
    """An email needs an address to go to; a letter needs a postal address."""
    if channel == Channel.LETTER:
        return Person.address_enc.is_not(None)
    return Person.email != ""


def audience_conditions(incident_id: int, channel: str, audience) -> list[ColumnElement]:
    """``audience``: a portal.batches.audience.Audience (a saved filter or an uploaded list)."""
    affected = exists(select(Exposure.id).where(Exposure.person_id == Person.id, Exposure.incident_id == incident_id))
    conditions = [affected, _reachable_by(channel)]
    if audience.kind == AudienceKind.LIST:
        conditions.append(Person.contractor_id.in_(_json_strings(audience.contractor_ids)))
        return conditions
    if audience.countries:
        conditions.append(Person.country.in_(audience.countries))
    if audience.regions:
        conditions.append(Person.region.in_(audience.regions))
    if audience.categories:
        conditions.append(
            exists(
                select(Exposure.id).where(
                    Exposure.person_id == Person.id,
                    Exposure.incident_id == incident_id,
                    Exposure.category.in_(audience.categories),
                )
            )
        )
    if audience.languages:
        conditions.append(or_(*(_speaks(language) for language in audience.languages)))
    if audience.never_notified:
        conditions.append(_never_notified(incident_id))
    if audience.last_bounced:
        conditions.append(_last_notice_bounced(incident_id))
    if audience.reminder:
        conditions.append(reminder_condition(incident_id, audience.reminder))
    return conditions


def audience_select(incident_id: int, channel: str, audience, *columns) -> Select:
    """SELECT ``columns`` FROM person for everyone in the audience (no order: add one to page)."""
    return select(*columns).select_from(Person).where(and_(*audience_conditions(incident_id, channel, audience)))


def _speaks(language: str) -> ColumnElement:
    """``en`` matches en, EN, en-GB and en_US alike, as registers spell it every way."""
    preferred = func.lower(Person.preferred_language)
    return or_(preferred == language, preferred.like(f"{language}-%"), preferred.like(f"{language}\\_%", escape="\\"))


def recipient_language(template_languages: list[str]) -> ColumnElement:
    """SQL for the template language each person gets: their preferred one if written, else English."""
    whens = [(_speaks(language), literal(language)) for language in template_languages if language != DEFAULT_LANGUAGE]
    return case(*whens, else_=literal(DEFAULT_LANGUAGE)) if whens else literal(DEFAULT_LANGUAGE)


def _claim_in(incident_id: int, status: str) -> ColumnElement:
    return exists(
        select(Claim.id).where(Claim.person_id == Person.id, Claim.incident_id == incident_id, Claim.status == status)
    )


def _eligible_for_monitoring(incident_id: int) -> ColumnElement:
    """The SQL twin of is_eligible, over any active product of the incident."""
    listed = func.replace(MonitoringProduct.countries, " ", "")
    in_country = or_(
        MonitoringProduct.countries == "",
        (literal(",") + func.upper(listed) + literal(",")).like(literal("%,") + Person.country + literal(",%")),
    )
    us_credit_file = and_(
        Person.country == _US,
        exists(
            select(Exposure.id)
            .where(
                Exposure.person_id == Person.id,
                Exposure.incident_id == incident_id,
                Exposure.category == _US_CREDIT_CATEGORY,
            )
            # Two levels down from the person: say which person, or SQL would take any person.
            .correlate(Person)
        ),
    )
    return exists(
        select(MonitoringProduct.id)
        .where(
            MonitoringProduct.incident_id == incident_id,
            MonitoringProduct.active.is_(True),
            in_country,
            or_(MonitoringProduct.requires_us_credit_file.is_(False), us_credit_file),
        )
        .correlate(Person)
    )


def _enrolled(incident_id: int) -> ColumnElement:
    return exists(
        select(MonitoringEnrollment.id)
        .join(MonitoringProduct, MonitoringProduct.id == MonitoringEnrollment.product_id)
        .where(MonitoringEnrollment.person_id == Person.id, MonitoringProduct.incident_id == incident_id)
    )


def reminder_condition(incident_id: int, reminder: str) -> ColumnElement:
    if reminder == Reminder.CLAIM_NOT_SUBMITTED:
        return _claim_in(incident_id, ClaimStatus.DRAFT)
    if reminder == Reminder.INFO_NOT_ANSWERED:
        return _claim_in(incident_id, ClaimStatus.NEEDS_INFO)
    if reminder == Reminder.MONITORING_NOT_ENROLLED:
        return and_(_eligible_for_monitoring(incident_id), ~_enrolled(incident_id))
    if reminder == Reminder.NEVER_VERIFIED:
        return ~exists(
            select(NoticeCode.id).where(NoticeCode.person_id == Person.id, NoticeCode.last_used_at.is_not(None))
        )
    if reminder == Reminder.RETURNED_ADDRESS_UPDATED:
        return _returned_then_readdressed(incident_id)
    raise ValueError(f"unknown reminder audience {reminder!r}")


def _returned_then_readdressed(incident_id: int) -> ColumnElement:
    """Re-mailing: a returned letter, then an address change applied on or after the day it came back."""
    return exists(
        select(ReturnedLetter.id)
        .join(ContactChange, ContactChange.person_id == ReturnedLetter.person_id)
        .where(
            ReturnedLetter.person_id == Person.id,
            ReturnedLetter.incident_id == incident_id,
            ContactChange.kind == "address",
            ContactChange.applied_at.is_not(None),
            func.date(ContactChange.applied_at) >= ReturnedLetter.returned_on,
        )
        .correlate(Person)
    )

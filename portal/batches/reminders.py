"""Reminder audiences: the people to remind before a deadline, as SQL on ``person`` for one incident.

Each is one more condition of a batch's filter audience (portal/batches/audience.py), so the count,
the preview and the approval's freeze all see the same people, through the normal two-person flow.
"""

from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, exists, func, literal, or_, select
from sqlalchemy.sql import ColumnElement

from portal.constants import ClaimStatus
from portal.models import (
    Claim,
    ContactChange,
    Exposure,
    MonitoringEnrollment,
    MonitoringProduct,
    NoticeCode,
    Person,
    ReturnedLetter,
)


class Reminder(StrEnum):
    CLAIM_NOT_SUBMITTED = "claim_draft"  # before claim_deadline
    INFO_NOT_ANSWERED = "info_unanswered"  # before the cure deadline
    MONITORING_NOT_ENROLLED = "not_enrolled"  # before enrollment_deadline
    NEVER_VERIFIED = "never_verified"  # never checked in with a notice code
    RETURNED_ADDRESS_UPDATED = "returned_readdressed"  # a letter came back; the address is new since


REMINDER_LABELS = {
    Reminder.CLAIM_NOT_SUBMITTED: _l("Started a claim but not submitted it"),
    Reminder.INFO_NOT_ANSWERED: _l("Asked for information about their claim and not answered"),
    Reminder.MONITORING_NOT_ENROLLED: _l("Eligible for monitoring but not enrolled"),
    Reminder.NEVER_VERIFIED: _l("Never checked in on the portal"),
    Reminder.RETURNED_ADDRESS_UPDATED: _l("A letter came back, and their postal address has been updated since"),
}
# Monitoring that needs a US credit file (portal/monitoring/service.py: is_eligible).
_US, _US_CREDIT_CATEGORY = "US", "national_id"


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

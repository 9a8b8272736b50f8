"""Who may enroll in which monitoring product, enrolling them, and serving the waiting list.

Every enrollment starts WAITING and is then served from the pool by ``serve_waiting_list``, oldest
first: the same path serves a new enrollment at once when codes are there, and the people who
waited when a provider's codes arrive, so nobody who enrolls later can overtake someone waiting.
Activation codes are decrypted only to show or email them to their owner and never logged.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from flask import render_template
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from portal.audit.chain import record_audit
from portal.constants import AuditAction, EnrollmentStatus, MailKind
from portal.core.time import utcnow
from portal.crypto import crypto
from portal.dao.exposures import dao_person_has_exposure
from portal.dao.incidents import dao_get_incident
from portal.dao.monitoring import (
    MonitoringRow,
    dao_add_enrollment,
    dao_claim_activation_code,
    dao_get_code_of_enrollment,
    dao_get_enrollment,
    dao_get_enrollment_by_id,
    dao_get_enrollments_of_person,
    dao_get_next_waiting_enrollment_id,
    dao_get_product,
    dao_get_products_for_incident,
    dao_mark_enrollment_served,
)
from portal.dao.people import dao_get_person
from portal.extensions import db
from portal.mail import Message, send_message
from portal.models import ActivationCode, Incident, MonitoringEnrollment, MonitoringProduct, Person
from portal.updates.mail import in_language_of, public_url

# A deadline is a calendar date; it has not passed while it is still that day anywhere on Earth
# (UTC-12 is the last place to leave it), so nobody loses a day to their time zone.
LATEST_UTC_OFFSET = timedelta(hours=12)
US_CREDIT_FILE_COUNTRY = "US"
US_CREDIT_FILE_CATEGORY = "national_id"
CODE_SERVER = "system:monitoring"  # codes are served by whichever request finds people waiting


class EnrollmentRefused(Exception):
    """The person cannot enroll in this product; ``reason`` is 'not_eligible' or 'closed'."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def activation_code_aad(product_id: int) -> str:
    """Associated data binding an activation code's ciphertext to its product's pool."""
    return f"activation:{product_id}"


def product_countries(product: MonitoringProduct) -> list[str]:
    return [code.strip().upper() for code in (product.countries or "").split(",") if code.strip()]


def enrollment_is_open(incident: Incident, today: date | None = None) -> bool:
    if incident.enrollment_deadline is None:
        return True
    today = today or (utcnow() - LATEST_UTC_OFFSET).date()
    return today <= incident.enrollment_deadline


def is_eligible(person: Person, product: MonitoringProduct, exposed: set[str] | None = None) -> bool:
    """Active, offered in the person's country, they are in the incident, and any US-credit-file rule holds.

    "Needs a US credit file" means US credit monitoring, which only works for someone with a US
    credit file: we take that as living in the US with a national id (SSN/ITIN) in the breach.
    ``exposed``: the person's exposed categories in the product's incident, when the caller has
    them already (the exposure page), so nothing is asked of the database again.
    """
    if not product.active:
        return False
    countries = product_countries(product)
    if countries and person.country not in countries:
        return False
    if exposed is not None:
        in_incident, has_national_id = bool(exposed), US_CREDIT_FILE_CATEGORY in exposed
    else:
        in_incident = dao_person_has_exposure(person.id, product.incident_id)
        has_national_id = None  # asked below only if the product needs it
    if not in_incident:
        return False
    if product.requires_us_credit_file:
        if person.country != US_CREDIT_FILE_COUNTRY:
            return False
        if has_national_id is None:
            has_national_id = dao_person_has_exposure(person.id, product.incident_id, US_CREDIT_FILE_CATEGORY)
        return has_national_id
    return True


@dataclass(frozen=True)
class ProductOffer:
    """One product as the person sees it: their enrollment if any, and their code once served."""

    product: MonitoringProduct
    enrollment: MonitoringEnrollment | None = None
    code: str | None = None

    @property
    def waiting(self) -> bool:
        return self.enrollment is not None and self.enrollment.status == EnrollmentStatus.WAITING


@dataclass(frozen=True)
class MonitoringOverview:
    incident: Incident
    offers: list[ProductOffer]
    is_open: bool


def _offer(product: MonitoringProduct, enrollment: MonitoringEnrollment | None) -> ProductOffer:
    row = None
    if enrollment is not None and enrollment.status == EnrollmentStatus.ENROLLED:
        row = dao_get_code_of_enrollment(enrollment.id)
    return _offer_with_code(product, enrollment, row)


def _offer_with_code(
    product: MonitoringProduct, enrollment: MonitoringEnrollment | None, row: ActivationCode | None
) -> ProductOffer:
    served = enrollment is not None and enrollment.status == EnrollmentStatus.ENROLLED and row is not None
    return ProductOffer(product, enrollment, reveal_code(row) if served else None)


def monitoring_overview(person: Person, incident: Incident) -> MonitoringOverview:
    """The products this person may enroll in for the incident, with what they already have."""
    enrollments = dao_get_enrollments_of_person(person.id)
    offers = []
    for product in dao_get_products_for_incident(incident.id):
        enrollment = enrollments.get(product.id)
        # Once enrolled, they keep seeing their code even if the product is later switched off.
        if enrollment is not None or is_eligible(person, product):
            offers.append(_offer(product, enrollment))
    return MonitoringOverview(incident, offers, enrollment_is_open(incident))


def monitoring_overviews(
    person: Person, incidents: list[Incident], rows: list[MonitoringRow], exposed: dict[int, set[str]]
) -> dict[int, MonitoringOverview]:
    """``monitoring_overview`` for several incidents at once, from rows already read
    (``dao_get_monitoring_rows``) and the person's exposed categories per incident."""
    offers: dict[int, list[ProductOffer]] = {incident.id: [] for incident in incidents}
    for product, enrollment, code_row in rows:
        if enrollment is not None or is_eligible(person, product, exposed.get(product.incident_id, set())):
            offers[product.incident_id].append(_offer_with_code(product, enrollment, code_row))
    return {
        incident.id: MonitoringOverview(incident, offers[incident.id], enrollment_is_open(incident))
        for incident in incidents
    }


def monitoring_overview_for_incident_id(person: Person, incident_id: int) -> MonitoringOverview | None:
    """None unless the person is in that incident: nobody learns about incidents they are not in."""
    incident = dao_get_incident(incident_id)
    if incident is None or not dao_person_has_exposure(person.id, incident.id):
        return None
    return monitoring_overview(person, incident)


def get_offer(person: Person, product_id: int) -> tuple[ProductOffer, Incident] | None:
    """The product with the person's enrollment, or None if it is not theirs to see (404)."""
    product = dao_get_product(product_id)
    if product is None:
        return None
    enrollment = dao_get_enrollment(person.id, product.id)
    if enrollment is None and not is_eligible(person, product):
        return None
    return _offer(product, enrollment), dao_get_incident(product.incident_id)


def reveal_code(row: ActivationCode) -> str:
    return crypto().cipher.decrypt(row.code_enc, activation_code_aad(row.product_id))


def enroll(person: Person, product: MonitoringProduct, consent_ip: str) -> MonitoringEnrollment:
    """Record the person's consent and serve them a code (or a place on the waiting list).

    Enrolling twice returns the first enrollment: one code per person per product.
    """
    existing = dao_get_enrollment(person.id, product.id)
    if existing is not None:
        return existing
    if not is_eligible(person, product):
        raise EnrollmentRefused("not_eligible")
    if not enrollment_is_open(dao_get_incident(product.incident_id)):
        raise EnrollmentRefused("closed")
    person_id, product_id = person.id, product.id
    enrollment = MonitoringEnrollment(
        person_id=person_id,
        product_id=product_id,
        status=EnrollmentStatus.WAITING,
        consented_at=utcnow(),
        consent_ip=(consent_ip or "")[:45],
    )
    try:
        dao_add_enrollment(enrollment)
        db.session.commit()
    except IntegrityError:  # the same person's twin request (double tap) got there first
        db.session.rollback()
        return dao_get_enrollment(person_id, product_id)
    enrollment_id = enrollment.id
    serve_waiting_list(product_id)
    return dao_get_enrollment_by_id(enrollment_id)


def serve_waiting_list(product_id: int) -> int:
    """Give codes to waiting enrollments, oldest first, until nobody waits or the pool is empty.

    Each served enrollment is its own transaction, then its email: a failure part-way leaves
    everyone either served (with a code) or still waiting, never half-served.
    """
    served = 0
    while True:
        enrollment_id = dao_get_next_waiting_enrollment_id(product_id)
        if enrollment_id is None:
            db.session.rollback()
            return served
        now = utcnow()
        if not dao_mark_enrollment_served(enrollment_id, now):
            db.session.rollback()  # another request served this one a moment ago
            continue
        if dao_claim_activation_code(product_id, enrollment_id, now) is None:
            db.session.rollback()  # pool empty: they keep their place in the queue
            return served
        record_audit(
            AuditAction.MONITORING_CODE_ASSIGNED,
            f"enrollment:{enrollment_id}",
            {"product": product_id},
            actor=CODE_SERVER,
        )
        db.session.commit()
        served += 1
        email_activation_code(enrollment_id)


def email_activation_code(enrollment_id: int) -> bool:
    """Email the code, the provider's link and the enroll-by date to the enrollment's owner."""
    enrollment = dao_get_enrollment_by_id(enrollment_id)
    person = dao_get_person(enrollment.person_id)
    code_row = dao_get_code_of_enrollment(enrollment_id)
    if code_row is None or not person.email:
        return False
    product = dao_get_product(enrollment.product_id)
    incident = dao_get_incident(product.incident_id)
    with in_language_of(person):
        message = Message(
            kind=MailKind.MONITORING_CODE,
            to_address=person.email,
            subject=_("Your activation code for %(product)s", product=product.name),
            body_text=render_template(
                "monitoring/mail_code.txt",
                person=person,
                product=product,
                incident=incident,
                code=reveal_code(code_row),
                portal_url=public_url("public.incident_page"),
            ),
        )
    sent = send_message(message)
    if sent:
        enrollment.emailed_at = utcnow()
    db.session.commit()
    return sent

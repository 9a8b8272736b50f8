"""Exposures: which of a person's records leaked in which incident."""

from sqlalchemy import and_, bindparam, exists, select
from sqlalchemy.orm import lazyload

from portal.dao.sql import ID_CHUNK
from portal.extensions import db
from portal.models import (
    Claim,
    Exposure,
    Incident,
    Person,
    Subscription,
)


def dao_person_has_exposure(person_id: int, incident_id: int, category: str | None = None) -> bool:
    """Whether the register lists the person as exposed in the incident (in ``category`` if given):
    claims, monitoring and updates are open to those people and nobody else."""
    query = select(Exposure.id).where(Exposure.person_id == person_id, Exposure.incident_id == incident_id)
    if category is not None:
        query = query.where(Exposure.category == category)
    return db.session.scalar(query.limit(1)) is not None


def dao_find_contractor_ids_in_incident(contractor_ids: list[str], incident_id: int) -> dict[str, bool]:
    """contractor id → whether that person is affected by the incident; ids not in the register are absent."""
    found: dict[str, bool] = {}
    affected = exists(select(Exposure.id).where(Exposure.person_id == Person.id, Exposure.incident_id == incident_id))
    for start in range(0, len(contractor_ids), ID_CHUNK):
        chunk = contractor_ids[start : start + ID_CHUNK]
        rows = db.session.execute(select(Person.contractor_id, affected).where(Person.contractor_id.in_(chunk)))
        found.update({contractor_id: bool(in_incident) for contractor_id, in_incident in rows})
    return found


def dao_get_incidents_for_person(person_id: int) -> list[Incident]:
    statement = (
        select(Incident)
        .where(exists(select(Exposure.id).where(Exposure.person_id == person_id, Exposure.incident_id == Incident.id)))
        .order_by(Incident.discovered_on.desc(), Incident.id)
    )
    return list(db.session.scalars(statement))


def dao_get_incident_categories(incident_id: int) -> set[str]:
    """The categories exposed for anyone in the incident (what a notice variant must speak to)."""
    return set(db.session.scalars(select(Exposure.category).where(Exposure.incident_id == incident_id).distinct()))


ExposureRow = tuple[Exposure, Incident, Subscription | None, Claim | None]
# /my reads it on every visit: built once (portal/dao/__init__.py says why).
_EXPOSURE_PAGE_ROWS = (
    select(Exposure, Incident, Subscription, Claim)
    .join(Incident, Incident.id == Exposure.incident_id)
    .outerjoin(
        Subscription,
        and_(Subscription.person_id == Exposure.person_id, Subscription.incident_id == Exposure.incident_id),
    )
    .outerjoin(Claim, and_(Claim.person_id == Exposure.person_id, Claim.incident_id == Exposure.incident_id))
    .where(Exposure.person_id == bindparam("person_id"))
    .order_by(Incident.discovered_on.desc(), Incident.id)
    .options(lazyload(Claim.benefits))
)


def dao_get_exposure_page_rows(person_id: int) -> list[ExposureRow]:
    """Each exposure with its incident and the person's subscription and claim for that incident.

    Subscription and claim are unique per (person, incident), so the outer joins add no rows. The
    claim's benefits are not loaded: the page shows only its status and reference.
    """
    rows = db.session.execute(_EXPOSURE_PAGE_ROWS, {"person_id": person_id})
    return [(exposure, incident, subscription, claim) for exposure, incident, subscription, claim in rows]

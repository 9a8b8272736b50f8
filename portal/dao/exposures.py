"""Exposures: which of a person's records leaked in which incident."""

from sqlalchemy import exists, select

from portal.dao.sql import ID_CHUNK
from portal.extensions import db
from portal.models import (
    Exposure,
    Incident,
    Person,
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

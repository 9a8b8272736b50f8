"""Exposures: which of a person's records leaked in which incident."""

from sqlalchemy import select

from portal.extensions import db
from portal.models import Exposure


def dao_person_has_exposure(person_id: int, incident_id: int, category: str | None = None) -> bool:
    """Whether the register lists the person as exposed in the incident (in ``category`` if given):
    claims, monitoring and updates are open to those people and nobody else."""
    query = select(Exposure.id).where(Exposure.person_id == person_id, Exposure.incident_id == incident_id)
    if category is not None:
        query = query.where(Exposure.category == category)
    return db.session.scalar(query.limit(1)) is not None

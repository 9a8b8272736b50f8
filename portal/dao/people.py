from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import lazyload

from portal.dao.sql import ID_CHUNK
from portal.extensions import db
from portal.models import Exposure, Incident, Person

# Every contractor page loads its person: the statement is built once (portal/dao/__init__.py says why).
# Their exposures are read only if asked for: few pages need the list, and ``selectin`` read it on every one.
_PERSON_BY_UID = select(Person).where(Person.uid == bindparam("uid")).options(lazyload(Person.exposures))


def dao_get_person_by_uid(uid: str) -> Person | None:
    return db.session.scalar(_PERSON_BY_UID, {"uid": uid})


def dao_set_preferred_language(person_id: int, language: str) -> bool:
    """One conditional statement: True when the language changed (False when it already was)."""
    changed = db.session.execute(
        update(Person)
        .where(Person.id == person_id, Person.preferred_language != language)
        .values(preferred_language=language)
        .execution_options(synchronize_session="fetch")
    )
    return changed.rowcount == 1


def dao_get_person_by_contractor_id(contractor_id: str) -> Person | None:
    return db.session.scalar(select(Person).where(Person.contractor_id == contractor_id))


def dao_find_people_by_email_index(email_bidx: str) -> list[Person]:
    return list(db.session.scalars(select(Person).where(Person.email_bidx == email_bidx)))


def dao_get_exposures_with_incidents(person_id: int) -> list[tuple[Exposure, Incident]]:
    rows = db.session.execute(
        select(Exposure, Incident)
        .join(Incident, Incident.id == Exposure.incident_id)
        .where(Exposure.person_id == person_id)
        .order_by(Incident.discovered_on.desc(), Incident.id)
    )
    return [(exposure, incident) for exposure, incident in rows]


def dao_find_people_by_contractor_id(term: str) -> list[Person]:
    """Exact match first (the unique index); otherwise ignore case, as staff type ids from a phone call."""
    exact = dao_get_person_by_contractor_id(term)
    if exact is not None:
        return [exact]
    return list(
        db.session.scalars(
            select(Person)
            .where(func.lower(Person.contractor_id) == term.lower())
            .order_by(Person.contractor_id)
            .limit(50)
        )
    )


def dao_get_person(person_id: int) -> Person | None:
    return db.session.get(Person, person_id)


def dao_get_person_ids_by_contractor_ids(contractor_ids: list[str]) -> dict[str, int]:
    """contractor id → person id, for those in the register; in chunks, as an upload may hold millions."""
    found: dict[str, int] = {}
    for start in range(0, len(contractor_ids), ID_CHUNK):
        chunk = contractor_ids[start : start + ID_CHUNK]
        found.update(db.session.execute(select(Person.contractor_id, Person.id).where(Person.contractor_id.in_(chunk))))
    return found

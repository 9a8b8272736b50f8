"""People in the register, and the rows that are theirs in other tables (the access copy reads them)."""

from datetime import date, datetime
from typing import NamedTuple

from sqlalchemy import bindparam, func, or_, select, update
from sqlalchemy.orm import lazyload

from portal.dao.sql import ID_CHUNK
from portal.extensions import db
from portal.models import (
    Claim,
    ContactChange,
    ExclusionRequest,
    Exposure,
    Incident,
    MonitoringEnrollment,
    NoticeCode,
    Notification,
    Person,
    ReturnedLetter,
    StepCompletion,
    Subscription,
)

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
        rows = db.session.execute(select(Person.contractor_id, Person.id).where(Person.contractor_id.in_(chunk)))
        found.update({contractor_id: person_id for contractor_id, person_id in rows})
    return found


def dao_people_named_like(last_prefix: str, first_prefix: str) -> list[Person]:
    """Register entries whose last or first name starts with these (lower-case) letters: the caller
    compares whole names without accents, case or punctuation, which SQL here cannot."""
    conditions = [func.lower(Person.last_name).like(f"{last_prefix}%")] if last_prefix else []
    conditions += [func.lower(Person.first_name).like(f"{first_prefix}%")] if first_prefix else []
    if not conditions:
        return []
    return list(db.session.scalars(select(Person).where(or_(*conditions)).limit(50_000)))


class ReachFacts(NamedTuple):
    """What says whether our mail reaches a person: their newest notification's status and when it
    got it, their latest returned letter, and when they last changed any / their postal details."""

    notification_status: str | None
    notification_at: datetime | None
    returned_on: date | None
    changed_at: datetime | None
    address_changed_at: datetime | None


def dao_reach_facts(person_id: int, address_kind: str) -> ReachFacts:
    """One statement (the person's own page counts its queries): scalar subqueries on indexed person_id."""
    newest = (
        select(Notification.status, Notification.updated_at)
        .where(Notification.person_id == person_id)
        .order_by(Notification.id.desc())
        .limit(1)
        .subquery()
    )
    changes = select(func.max(ContactChange.applied_at)).where(ContactChange.person_id == person_id)
    row = db.session.execute(
        select(
            select(newest.c.status).scalar_subquery(),
            select(newest.c.updated_at).scalar_subquery(),
            select(func.max(ReturnedLetter.returned_on)).where(ReturnedLetter.person_id == person_id).scalar_subquery(),
            changes.scalar_subquery(),
            changes.where(ContactChange.kind == address_kind).scalar_subquery(),
        )
    ).one()
    return ReachFacts(*row)


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

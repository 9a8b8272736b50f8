"""Exclusion requests (a person asking to be left out of a class or settlement) and the lists legal
reads of them. Lists page by keyset (``id > last id ORDER BY id LIMIT n``), never OFFSET, so memory
stays flat however long the list.
"""

from sqlalchemy import func, select, update
from sqlalchemy.sql import ColumnElement

from portal.extensions import db
from portal.models import (
    ExclusionRequest,
    Incident,
    Person,
)


def _exclusion_conditions(incident_id: int | None, include_withdrawn: bool) -> list[ColumnElement]:
    conditions = []
    if incident_id:
        conditions.append(ExclusionRequest.incident_id == incident_id)
    if not include_withdrawn:
        conditions.append(ExclusionRequest.withdrawn_at.is_(None))
    return conditions


def _core_rows(statement) -> list[tuple]:
    """Rows as plain tuples through the Core connection: the ORM's row loading costs more than the
    query itself at export volumes, and these are columns, not entities."""
    return db.session.connection().execute(statement).all()  # fetchall: iterating fetches row by row


def dao_get_exclusion(person_id: int, incident_id: int) -> ExclusionRequest | None:
    return db.session.scalar(
        select(ExclusionRequest).where(
            ExclusionRequest.person_id == person_id, ExclusionRequest.incident_id == incident_id
        )
    )


def dao_get_standing_exclusion(person_id: int, incident_id: int) -> ExclusionRequest | None:
    """The person's request to be excluded from the incident's settlement, unless withdrawn."""
    return db.session.scalar(
        select(ExclusionRequest).where(
            ExclusionRequest.person_id == person_id,
            ExclusionRequest.incident_id == incident_id,
            ExclusionRequest.withdrawn_at.is_(None),
        )
    )


def dao_add_exclusion(row: ExclusionRequest) -> ExclusionRequest:
    db.session.add(row)
    db.session.flush()
    return row


def dao_renew_withdrawn_exclusion(row: ExclusionRequest, values: dict) -> bool:
    """The withdrawn request asked for again, only if it is still withdrawn (a twin request may have renewed it)."""
    result = db.session.execute(
        update(ExclusionRequest)
        .where(ExclusionRequest.id == row.id, ExclusionRequest.withdrawn_at.is_not(None))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    db.session.expire(row)
    return result.rowcount == 1


def dao_withdraw_exclusion(row: ExclusionRequest, now) -> bool:
    """Standing → withdrawn; False if it was not standing any more."""
    result = db.session.execute(
        update(ExclusionRequest)
        .where(ExclusionRequest.id == row.id, ExclusionRequest.withdrawn_at.is_(None))
        .values(withdrawn_at=now)
        .execution_options(synchronize_session=False)
    )
    db.session.expire(row)
    return result.rowcount == 1


def dao_count_exclusions(incident_id: int | None, include_withdrawn: bool = False) -> int:
    return (
        db.session.scalar(
            select(func.count(ExclusionRequest.id)).where(*_exclusion_conditions(incident_id, include_withdrawn))
        )
        or 0
    )


def dao_get_exclusion_page(incident_id: int | None, include_withdrawn: bool, after_id: int, limit: int) -> list[tuple]:
    statement = (
        select(
            ExclusionRequest.id,
            Incident.slug,
            Person.contractor_id,
            Person.first_name,
            Person.last_name,
            Person.email,
            Person.country,
            Person.region,
            ExclusionRequest.typed_name,
            ExclusionRequest.reason,
            ExclusionRequest.requested_at,
            ExclusionRequest.withdrawn_at,
        )
        .join(Person, Person.id == ExclusionRequest.person_id)
        .join(Incident, Incident.id == ExclusionRequest.incident_id)
        .where(*_exclusion_conditions(incident_id, include_withdrawn), ExclusionRequest.id > after_id)
        .order_by(ExclusionRequest.id)
        .limit(limit)
    )
    return _core_rows(statement)


def dao_get_recent_exclusions(incident_id: int | None, limit: int = 50) -> list[tuple[ExclusionRequest, Person]]:
    statement = (
        select(ExclusionRequest, Person)
        .join(Person, Person.id == ExclusionRequest.person_id)
        .where(*_exclusion_conditions(incident_id, True))
        .order_by(ExclusionRequest.id.desc())
        .limit(limit)
    )
    return [(request, person) for request, person in db.session.execute(statement)]


def dao_get_person_exclusions(person_id: int) -> list[tuple[ExclusionRequest, str]]:
    query = (
        select(ExclusionRequest, Incident.title)
        .join(Incident, Incident.id == ExclusionRequest.incident_id)
        .where(ExclusionRequest.person_id == person_id)
        .order_by(ExclusionRequest.requested_at.desc())
    )
    return [tuple(row) for row in db.session.execute(query)]

"""Queries for subscriptions, new-exposure alerts and incident updates."""

from collections.abc import Iterator
from datetime import datetime, timedelta

from sqlalchemy import Integer, bindparam, func, insert, literal, select, update

from portal.extensions import db
from portal.models import (
    Exposure,
    Incident,
    IncidentUpdate,
    Person,
    Subscription,
)


def dao_get_subscription(person_id: int, incident_id: int) -> Subscription | None:
    return db.session.scalar(
        select(Subscription).where(Subscription.person_id == person_id, Subscription.incident_id == incident_id)
    )


def dao_get_subscription_by_token_hash(token_hash: str) -> Subscription | None:
    return db.session.scalar(select(Subscription).where(Subscription.unsubscribe_token_hash == token_hash))


def dao_add_subscription(subscription: Subscription) -> None:
    """Flush it; the (person, incident) unique constraint raises IntegrityError for a twin request."""
    db.session.add(subscription)
    db.session.flush()


def dao_revive_subscription(subscription_id: int, subscribed_at: datetime, token_hash: str) -> bool:
    """Start an ended subscription again, only if it is still ended: False when a twin request
    revived it first (the caller then leaves it as that request stored it)."""
    revived = db.session.execute(
        update(Subscription)
        .where(Subscription.id == subscription_id, Subscription.unsubscribed_at.is_not(None))
        .values(subscribed_at=subscribed_at, unsubscribed_at=None, unsubscribe_token_hash=token_hash)
        .execution_options(synchronize_session=False)
    )
    return revived.rowcount == 1


def dao_get_unannounced_exposures(incident_id: int) -> list[tuple[int, int, str]]:
    """(person id, exposure id, category) of exposures added after their person subscribed and not yet announced.

    Driven from the (small) subscription table: a bench-sized register with few subscribers costs
    a few index look-ups, not a scan of every exposure.
    """
    rows = db.session.execute(
        select(Exposure.person_id, Exposure.id, Exposure.category)
        .join(
            Subscription,
            (Subscription.person_id == Exposure.person_id) & (Subscription.incident_id == Exposure.incident_id),
        )
        .where(
            Exposure.incident_id == incident_id,
            Exposure.alerted_at.is_(None),
            Subscription.unsubscribed_at.is_(None),
            Exposure.created_at > Subscription.subscribed_at,
        )
        .order_by(Exposure.person_id, Exposure.id)
    )
    return [(person_id, exposure_id, category) for person_id, exposure_id, category in rows]


def dao_mark_exposures_alerted(exposure_ids: list[int], now: datetime) -> int:
    """Claim the exposures for one alert; returns how many were still unannounced (the rest: someone else's)."""
    result = db.session.execute(
        update(Exposure)
        .where(Exposure.id.in_(exposure_ids), Exposure.alerted_at.is_(None))
        .values(alerted_at=now)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount


def dao_iter_active_subscribers(incident_id: int, batch: int = 1000) -> Iterator[tuple[Subscription, Person]]:
    last_id = 0
    while True:
        rows = db.session.execute(
            select(Subscription, Person)
            .join(Person, Person.id == Subscription.person_id)
            .where(
                Subscription.incident_id == incident_id,
                Subscription.unsubscribed_at.is_(None),
                Subscription.id > last_id,
            )
            .order_by(Subscription.id)
            .limit(batch)
        ).all()
        if not rows:
            return
        yield from ((subscription, person) for subscription, person in rows)
        last_id = rows[-1][0].id


def dao_count_active_subscribers(incident_ids: list[int]) -> dict[int, int]:
    if not incident_ids:
        return {}
    return dict(
        db.session.execute(
            select(Subscription.incident_id, func.count(Subscription.id))
            .where(Subscription.incident_id.in_(incident_ids), Subscription.unsubscribed_at.is_(None))
            .group_by(Subscription.incident_id)
        ).all()
    )


def dao_add_incident_update_unless_repeated(
    incident_id: int, title: str, body_markdown: str, created_by_id: int | None, now: datetime, window: timedelta
) -> IncidentUpdate | None:
    """One statement: INSERT … SELECT … WHERE NOT EXISTS (the same title and text within ``window``).
    None if it was a repeat. The incident row is locked first on PostgreSQL, so of two concurrent
    publishes the second waits and then sees the first; SQLite runs the statement under its one writer."""
    db.session.execute(select(Incident.id).where(Incident.id == incident_id).with_for_update())
    repeated = (
        select(IncidentUpdate.id)
        .where(
            IncidentUpdate.incident_id == incident_id,
            IncidentUpdate.title == title,
            IncidentUpdate.body_markdown == body_markdown,
            IncidentUpdate.published_at > now - window,
        )
        .exists()
    )
    values = select(
        literal(incident_id),
        literal(title),
        literal(body_markdown),
        literal(created_by_id, Integer),
        literal(now, IncidentUpdate.published_at.type),
    ).where(~repeated)
    columns = ["incident_id", "title", "body_markdown", "created_by_id", "published_at"]
    new_id = db.session.scalar(insert(IncidentUpdate).from_select(columns, values).returning(IncidentUpdate.id))
    return None if new_id is None else db.session.get(IncidentUpdate, new_id)


# GET / reads it for every incident on every request: built once (portal/dao/__init__.py says why).
_INCIDENT_UPDATES = (
    select(IncidentUpdate)
    .where(IncidentUpdate.incident_id == bindparam("incident_id"))
    .order_by(IncidentUpdate.published_at.desc(), IncidentUpdate.id.desc())
)


def dao_get_incident_updates(incident_id: int) -> list[IncidentUpdate]:
    return list(db.session.scalars(_INCIDENT_UPDATES, {"incident_id": incident_id}))


def dao_get_person_subscriptions(person_id: int) -> list[tuple[Subscription, str]]:
    query = (
        select(Subscription, Incident.title)
        .join(Incident, Incident.id == Subscription.incident_id)
        .where(Subscription.person_id == person_id)
        .order_by(Subscription.subscribed_at.desc())
    )
    return [tuple(row) for row in db.session.execute(query)]

from sqlalchemy import select

from portal.extensions import db
from portal.models import Incident, PublicPageVersion

# GET / reads it on every request: built once (portal/dao/__init__.py says why).
_PUBLISHED = select(Incident).where(Incident.published.is_(True)).order_by(Incident.discovered_on.desc())


def dao_get_published_incidents() -> list[Incident]:
    return list(db.session.scalars(_PUBLISHED))


# GET / reads it on every request, cached page or not (portal/public/page_cache.py).
_PUBLIC_PAGE_VERSION = select(PublicPageVersion.version).where(PublicPageVersion.id == 1)


def dao_get_public_page_version() -> int | None:
    """The value database triggers change after every write to what GET / shows; None if the row is gone.

    Read outside the request's session, on a connection in autocommit: a kept page needs nothing
    else from the database, and a transaction would cost PostgreSQL a BEGIN and a ROLLBACK, two
    more round trips than the read itself. A page rendered after it reads data at least as new.
    """
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        return connection.scalar(_PUBLIC_PAGE_VERSION)


def dao_get_incident_by_slug(slug: str) -> Incident | None:
    return db.session.scalar(select(Incident).where(Incident.slug == slug))


def dao_get_all_incidents() -> list[Incident]:
    return list(db.session.scalars(select(Incident).order_by(Incident.discovered_on.desc(), Incident.id)))


def dao_get_incident(incident_id: int) -> Incident | None:
    return db.session.get(Incident, incident_id)


def dao_add_incident(incident: Incident) -> Incident:
    db.session.add(incident)
    db.session.flush()  # the id goes into the audit event written in the same transaction
    return incident

"""The organisation's own row: its name, contacts and settings the public pages show."""

from portal.extensions import db
from portal.models import (
    Organisation,
)


def dao_get_organisation(organisation_id: int) -> Organisation | None:
    return db.session.get(Organisation, organisation_id)


def dao_add_organisation(row: Organisation) -> None:
    db.session.add(row)
    db.session.flush()

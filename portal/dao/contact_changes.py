"""Contact changes: each change of a person's email, phone or address, with its (encrypted) value."""

from datetime import datetime

from sqlalchemy import select, update

from portal.constants import ContactChangeStatus
from portal.extensions import db
from portal.models import ContactChange


def dao_add_contact_change(change: ContactChange) -> None:
    db.session.add(change)


def dao_get_contact_change_by_token_hash(token_hash: str) -> ContactChange | None:
    return db.session.scalar(select(ContactChange).where(ContactChange.token_hash == token_hash))


def dao_apply_contact_change(change_id: int, at: datetime) -> bool:
    """PENDING → APPLIED in one conditional UPDATE, so a double click applies it once; True if this call did."""
    applied = db.session.execute(
        update(ContactChange)
        .where(ContactChange.id == change_id, ContactChange.status == ContactChangeStatus.PENDING)
        .values(status=ContactChangeStatus.APPLIED, applied_at=at)
        .execution_options(synchronize_session=False)
    ).rowcount
    return applied == 1


def dao_get_contact_changes_of_person(person_id: int, limit: int = 100) -> list[ContactChange]:
    return list(
        db.session.scalars(
            select(ContactChange)
            .where(ContactChange.person_id == person_id)
            .order_by(ContactChange.id.desc())
            .limit(limit)
        )
    )

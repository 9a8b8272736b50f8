from collections.abc import Iterator

from sqlalchemy import select, text

from portal.extensions import db
from portal.models import AuditEvent

GENESIS_HASH = "0" * 64
# Any constant works; it only has to be the same for every writer of the chain.
_AUDIT_CHAIN_LOCK = 0x5EED_A0D1


def dao_lock_audit_chain() -> str:
    """Serialise writers of the chain and return the hash to link to.

    On PostgreSQL a transaction-scoped advisory lock stops two writers linking to the same row.
    SQLite allows one writer at a time already.
    """
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _AUDIT_CHAIN_LOCK})
    last = db.session.scalar(select(AuditEvent.row_hash).order_by(AuditEvent.id.desc()).limit(1))
    return last or GENESIS_HASH


def dao_append_audit_event(event: AuditEvent) -> None:
    db.session.add(event)
    db.session.flush()


def dao_iter_audit_events(batch: int = 1000) -> Iterator[AuditEvent]:
    last_id = 0
    while True:
        rows = db.session.scalars(
            select(AuditEvent).where(AuditEvent.id > last_id).order_by(AuditEvent.id).limit(batch)
        ).all()
        if not rows:
            return
        yield from rows
        last_id = rows[-1].id


def dao_get_recent_audit_events(limit: int = 100) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit)))

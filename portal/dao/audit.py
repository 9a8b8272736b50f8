from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, text, update
from sqlalchemy.exc import IntegrityError

from portal.dao.sql import is_postgres
from portal.extensions import db
from portal.models import AuditCheckpoint, AuditEvent

GENESIS_HASH = "0" * 64
# Any constant works; it only has to be the same for every writer of the chain.
_AUDIT_CHAIN_LOCK = 0x5EED_A0D1
_CHECKPOINT_ID = 1


def dao_lock_audit_chain() -> tuple[int, str]:
    """Serialise writers of the chain and return the sequence number and hash to link to.

    On PostgreSQL a transaction-scoped advisory lock stops two writers linking to the same row
    (or taking the same number). SQLite allows one writer at a time already.
    """
    if is_postgres():
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _AUDIT_CHAIN_LOCK})
    last = db.session.execute(
        select(AuditEvent.seq, AuditEvent.row_hash).order_by(AuditEvent.seq.desc()).limit(1)
    ).first()
    return (last.seq, last.row_hash) if last else (0, GENESIS_HASH)


def dao_append_audit_event(event: AuditEvent) -> None:
    db.session.add(event)
    db.session.flush()


def dao_iter_audit_events(after_seq: int = 0, batch: int = 1000) -> Iterator[AuditEvent]:
    """Every event after ``after_seq``, in chain order, a batch at a time."""
    last = after_seq
    while True:
        rows = db.session.scalars(
            select(AuditEvent).where(AuditEvent.seq > last).order_by(AuditEvent.seq).limit(batch)
        ).all()
        if not rows:
            return
        yield from rows
        last = rows[-1].seq


def dao_get_audit_event_by_seq(seq: int) -> AuditEvent | None:
    return db.session.scalar(select(AuditEvent).where(AuditEvent.seq == seq))


def dao_get_audit_head() -> AuditEvent | None:
    return db.session.scalar(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1))


def dao_get_audit_checkpoint() -> AuditCheckpoint | None:
    return db.session.get(AuditCheckpoint, _CHECKPOINT_ID)


def dao_advance_audit_checkpoint(seq: int, row_hash: str, key_id: str, mac: str, at: datetime) -> None:
    """Move the checkpoint forward to ``seq``; never back (a slower verifier finishing late loses)."""
    values = {"seq": seq, "row_hash": row_hash, "key_id": key_id, "mac": mac, "verified_at": at}
    moved = db.session.execute(
        update(AuditCheckpoint)
        .where(AuditCheckpoint.id == _CHECKPOINT_ID, AuditCheckpoint.seq < seq)
        .values(**values)
        .execution_options(synchronize_session=False)
    ).rowcount
    if moved or db.session.scalar(select(func.count()).select_from(AuditCheckpoint)):
        return
    try:
        with db.session.begin_nested():
            db.session.add(AuditCheckpoint(id=_CHECKPOINT_ID, **values))
    except IntegrityError:
        pass  # another verifier created it first; its point is as good as ours


@dataclass(frozen=True)
class AuditFilter:
    """What the audit page narrows to; empty values do not narrow. ``end`` is exclusive."""

    actor: str = ""
    action: str = ""
    target_type: str = ""
    target_id: str = ""
    start: datetime | None = None
    end: datetime | None = None

    def described(self) -> dict[str, str]:
        return {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in vars(self).items() if v}

    def where(self) -> list:
        clauses = []
        if self.actor:
            clauses.append(AuditEvent.actor == self.actor)
        if self.action:
            clauses.append(AuditEvent.action == self.action)
        if self.target_type and self.target_id:
            clauses.append(AuditEvent.target == f"{self.target_type}:{self.target_id}")
        elif self.target_type:
            clauses.append(AuditEvent.target.startswith(f"{self.target_type}:", autoescape=True))
        elif self.target_id:
            clauses.append(AuditEvent.target.endswith(f":{self.target_id}", autoescape=True))
        if self.start:
            clauses.append(AuditEvent.at >= self.start)
        if self.end:
            clauses.append(AuditEvent.at < self.end)
        return clauses


def dao_count_audit_events(filters: AuditFilter) -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEvent).where(*filters.where()))


def dao_page_audit_events(filters: AuditFilter, offset: int, limit: int) -> list[AuditEvent]:
    query = select(AuditEvent).where(*filters.where()).order_by(AuditEvent.seq.desc()).offset(offset).limit(limit)
    return list(db.session.scalars(query))


def dao_iter_filtered_audit_events(filters: AuditFilter, batch: int = 2000) -> Iterator[AuditEvent]:
    """Oldest first, a batch at a time (keyset on seq, so a long export never re-reads)."""
    last = 0
    while True:
        query = select(AuditEvent).where(AuditEvent.seq > last, *filters.where()).order_by(AuditEvent.seq).limit(batch)
        rows = db.session.scalars(query).all()
        if not rows:
            return
        yield from rows
        last = rows[-1].seq

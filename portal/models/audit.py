from datetime import datetime

from sqlalchemy import BigInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from portal.core.time import utcnow
from portal.extensions import db
from portal.models._types import UTCDateTime


class AuditEvent(db.Model):
    """Append-only and hash-chained: ``row_hash`` covers this row's fields and ``prev_hash``.

    ``seq`` counts events without gaps. ``key_id`` names the AUDIT_KEYS entry whose HMAC
    ``row_hash`` is; empty for rows chained before keys (plain SHA-256, portal/audit/chain.py)."""

    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, unique=True, index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(120), index=True)  # "staff:12", "contractor:<uid>", "cli", "system"
    action: Mapped[str] = mapped_column(String(64), index=True)
    target: Mapped[str] = mapped_column(String(120), default="", index=True)  # "person:<uid>", "incident:3"
    ip: Mapped[str] = mapped_column(String(45), default="")
    details: Mapped[str] = mapped_column(Text, default="{}")  # JSON; never personal data
    key_id: Mapped[str] = mapped_column(String(16), default="", server_default="")
    prev_hash: Mapped[str] = mapped_column(String(64))
    row_hash: Mapped[str] = mapped_column(String(64), unique=True)


class AuditCheckpoint(db.Model):
    """The last point of the chain verified whole; ``mac`` (under AUDIT_KEYS) stops a database
    writer from moving it past events they changed. One row, id 1."""

    __tablename__ = "audit_checkpoint"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger)
    row_hash: Mapped[str] = mapped_column(String(64))
    key_id: Mapped[str] = mapped_column(String(16))
    mac: Mapped[str] = mapped_column(String(64))
    verified_at: Mapped[datetime] = mapped_column(UTCDateTime)

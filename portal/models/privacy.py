"""A person's data-protection requests, and the legal holds that stop the retention schedule."""

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from portal.core.time import utcnow
from portal.extensions import db
from portal.models._types import UTCDateTime


class DataRequest(db.Model):
    """Access, correction or erasure, asked by a verified contractor and decided by legal."""

    __tablename__ = "data_request"
    # ``open_slot`` is "open" while undecided and NULL after: one open request per kind per person,
    # whatever a double click sends (NULLs never collide, on SQLite or PostgreSQL).
    __table_args__ = (UniqueConstraint("person_id", "kind", "open_slot", name="uq_data_request_open"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), index=True)
    open_slot: Mapped[str | None] = mapped_column(String(8))
    details: Mapped[str] = mapped_column(Text, default="")  # what to correct: personal, wiped on erasure
    jurisdiction: Mapped[str] = mapped_column(String(16), default="")  # the rule the deadline came from
    due_on: Mapped[date] = mapped_column(Date)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    decision_reason: Mapped[str] = mapped_column(Text, default="")


class LegalHold(db.Model):
    """While a row exists for an incident, nothing of that incident is purged (litigation, regulator)."""

    __tablename__ = "legal_hold"

    incident_id: Mapped[int] = mapped_column(ForeignKey("incident.id", ondelete="CASCADE"), primary_key=True)
    reason: Mapped[str] = mapped_column(Text)
    set_by_id: Mapped[int] = mapped_column(ForeignKey("staff_user.id"))
    set_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

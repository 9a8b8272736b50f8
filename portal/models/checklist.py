"""The exposure checklist: which steps a person has marked done."""

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from portal.core.time import utcnow
from portal.extensions import db
from portal.models._types import UTCDateTime


class StepCompletion(db.Model):
    """A checklist step (taxonomy category + step id) the person marked done; deleted on undo."""

    __tablename__ = "step_completion"
    __table_args__ = (UniqueConstraint("person_id", "category", "step_id", name="uq_step_completion"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    category: Mapped[str] = mapped_column(String(32))
    step_id: Mapped[str] = mapped_column(String(64))
    completed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

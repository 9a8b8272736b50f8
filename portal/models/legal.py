"""Legal workspace records: exclusion (opt-out) requests, background export jobs and regulator filings."""

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from portal.core.time import utcnow
from portal.extensions import db
from portal.models._types import UTCDateTime


class ExclusionRequest(db.Model):
    """A contractor asks to be excluded from the settlement; counsel receive the list."""

    __tablename__ = "exclusion_request"
    __table_args__ = (UniqueConstraint("person_id", "incident_id", name="uq_exclusion_request_person_incident"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incident.id", ondelete="CASCADE"), index=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    typed_name: Mapped[str] = mapped_column(String(200))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    request_ip: Mapped[str] = mapped_column(String(45), default="")
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ExportJob(db.Model):
    """A claimant (or other) export built in the background; the file is encrypted on disk."""

    __tablename__ = "export_job"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))  # "claimants", "exclusions", "declaration", …
    file_format: Mapped[str] = mapped_column(String(8))
    filters: Mapped[str] = mapped_column(Text, default="{}")  # JSON; no personal data
    include_payment_details: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(16), index=True)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("staff_user.id"))
    total_rows: Mapped[int] = mapped_column(Integer, default=0)
    rows_written: Mapped[int] = mapped_column(Integer, default=0)
    file_name: Mapped[str] = mapped_column(String(200), default="")  # random name under instance/exports/
    file_bytes: Mapped[int] = mapped_column(BigInteger, default=0)
    sha256: Mapped[str] = mapped_column(String(64), default="")
    error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class RegulatorFiling(db.Model):
    """Legal staff's record that an incident's notice to an attorney general, a regulator or the
    credit bureaus went out: which obligation of the rules file (jurisdiction code and ``who``),
    when, and the recipient's reference. The regulator report shows it in place of the deadline."""

    __tablename__ = "regulator_filing"
    __table_args__ = (
        UniqueConstraint("incident_id", "jurisdiction", "who", name="uq_regulator_filing_incident_obligation"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The unique constraint's index, which starts with incident_id, serves the report's look-up.
    incident_id: Mapped[int] = mapped_column(ForeignKey("incident.id", ondelete="CASCADE"))
    jurisdiction: Mapped[str] = mapped_column(String(16))  # a code of the rules file: "US-CA", "EU"
    who: Mapped[str] = mapped_column(String(32))  # attorney_general, regulator, credit_bureaus
    filed_on: Mapped[date] = mapped_column(Date)
    reference: Mapped[str] = mapped_column(String(200), default="")  # the recipient's case or receipt number
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("staff_user.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

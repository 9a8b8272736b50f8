"""Trust: who we are (one organisation row), reported suspicious messages, letters asked for by post."""

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from portal.core.time import utcnow
from portal.extensions import db
from portal.models._types import UTCDateTime


class Organisation(db.Model):
    """Who runs the portal, as content an admin edits (like incidents). One row, id 1.

    The lists are kept as the admin typed them, one entry a line (phones: ``country | number | hours``);
    portal/trust/organisation.py parses them. PUBLIC_URL stays configuration: it is not here.
    """

    __tablename__ = "organisation"

    id: Mapped[int] = mapped_column(primary_key=True)
    legal_name: Mapped[str] = mapped_column(String(200), default="")
    sender_addresses: Mapped[str] = mapped_column(Text, default="")
    sender_domains: Mapped[str] = mapped_column(Text, default="")
    phone_lines: Mapped[str] = mapped_column(Text, default="")
    postal_address: Mapped[str] = mapped_column(Text, default="")
    claims_administrator: Mapped[str] = mapped_column(String(200), default="")
    # The logo as re-encoded by portal/trust/logo.py (PNG or JPEG, no metadata), with its size for <img>.
    logo: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)  # read only by the logo's own URL
    logo_type: Mapped[str] = mapped_column(String(16), default="")
    logo_width: Mapped[int] = mapped_column(Integer, default=0)
    logo_height: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class SuspiciousReport(db.Model):
    """A message someone received and doubted. The pasted text is sealed (it may hold their own name)."""

    __tablename__ = "suspicious_report"

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(32), unique=True)
    channel: Mapped[str] = mapped_column(String(16))  # ReportChannel
    sender: Mapped[str] = mapped_column(String(300), default="")  # as typed, shown to staff
    # What reports are grouped by: a domain, a phone number's digits, or the sender as typed.
    group_kind: Mapped[str] = mapped_column(String(16))  # SenderKind
    group_key: Mapped[str] = mapped_column(String(300), index=True)
    verdict: Mapped[str] = mapped_column(String(16))  # Verdict, when it was filed
    received_on: Mapped[date | None] = mapped_column(Date)
    text_enc: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class LetterRequest(db.Model):
    """A letter with a fresh code, asked for by post (or queued by support for a caller)."""

    __tablename__ = "letter_request"
    __table_args__ = (
        # One waiting letter per person: two requests at once (a double click, two support agents,
        # the post form) queue one, by INSERT … ON CONFLICT DO NOTHING on this index.
        Index(
            "uq_letter_request_queued",
            "person_id",
            unique=True,
            postgresql_where=text("status = 'queued'"),
            sqlite_where=text("status = 'queued'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    source: Mapped[str] = mapped_column(String(16))  # LetterRequestSource
    status: Mapped[str] = mapped_column(String(16), index=True)  # LetterRequestStatus
    letter_file_id: Mapped[int | None] = mapped_column(ForeignKey("letter_request_file.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class LetterRequestFile(db.Model):
    """One approved print file made from the queue (the letter-file format of letter batches)."""

    __tablename__ = "letter_request_file"

    id: Mapped[int] = mapped_column(primary_key=True)
    file_name: Mapped[str] = mapped_column(String(200), default="")
    sha256: Mapped[str] = mapped_column(String(64), default="")
    letters: Mapped[int] = mapped_column(Integer, default=0)
    approved_by: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ContactChange(db.Model):
    """A contractor's change of their own email, phone or postal address: applied, or waiting for the
    new email address to confirm. The new value is sealed; staff see the history, never in the log."""

    __tablename__ = "contact_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(32), unique=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # ContactKind
    status: Mapped[str] = mapped_column(String(16))  # ContactChangeStatus
    new_value_enc: Mapped[str] = mapped_column(Text)
    # sha256 of the confirmation link's token (email changes only): the link itself is never stored.
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    applied_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class OutsideNotice(db.Model):
    """A notice sent outside the portal (a letter vendor's first mailing), imported so the declaration counts it."""

    __tablename__ = "outside_notice"
    __table_args__ = (UniqueConstraint("incident_id", "person_id", "channel", "sent_on", name="uq_outside_notice_row"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incident.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    sent_on: Mapped[date] = mapped_column(Date)
    import_sha256: Mapped[str] = mapped_column(String(64))  # the file it came from (the source shown)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ReturnedLetter(db.Model):
    """A letter the vendor reports as returned undelivered."""

    __tablename__ = "returned_letter"
    __table_args__ = (UniqueConstraint("incident_id", "person_id", "returned_on", name="uq_returned_letter_row"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incident.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    returned_on: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(200), default="")
    import_sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SupportResend(db.Model):
    """When support last sent a person their notice again, per channel: the guard that makes a
    double click, or two agents at once, do it once (a conditional upsert, portal/dao/support_resends.py)."""

    __tablename__ = "support_resend"

    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), primary_key=True)
    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    last_at: Mapped[datetime] = mapped_column(UTCDateTime)

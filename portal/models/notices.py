"""Notice templates, batches, and one Notification per person per batch with its event history."""

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.core.time import utcnow
from portal.extensions import db
from portal.models._types import UTCDateTime


class NoticeTemplate(db.Model):
    __tablename__ = "notice_template"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incident.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    versions: Mapped[list["NoticeTemplateVersion"]] = relationship(
        back_populates="template", order_by="NoticeTemplateVersion.version"
    )


class NoticeTemplateVersion(db.Model):
    """Immutable once saved: a batch pins a version, so what was approved is what is sent."""

    __tablename__ = "notice_template_version"
    __table_args__ = (UniqueConstraint("template_id", "version", name="uq_notice_template_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    template_id: Mapped[int] = mapped_column(ForeignKey("notice_template.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    template: Mapped[NoticeTemplate] = relationship(back_populates="versions")
    contents: Mapped[list["NoticeTemplateContent"]] = relationship(back_populates="version", lazy="selectin")


class NoticeTemplateContent(db.Model):
    """Subject and Markdown body for one language (and, later, one jurisdiction; '' = default)."""

    __tablename__ = "notice_template_content"
    __table_args__ = (UniqueConstraint("version_id", "language", "jurisdiction", name="uq_notice_template_content"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("notice_template_version.id", ondelete="CASCADE"))
    language: Mapped[str] = mapped_column(String(35))
    jurisdiction: Mapped[str] = mapped_column(String(8), default="")
    subject: Mapped[str] = mapped_column(String(300))
    body_markdown: Mapped[str] = mapped_column(Text)

    version: Mapped[NoticeTemplateVersion] = relationship(back_populates="contents")


class Batch(db.Model):
    __tablename__ = "batch"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incident.id", ondelete="CASCADE"), index=True)
    template_version_id: Mapped[int] = mapped_column(ForeignKey("notice_template_version.id"))
    name: Mapped[str] = mapped_column(String(200))
    channel: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), index=True)
    # The saved filter (country, region, category, language, never notified, last bounced) or an
    # uploaded list of contractor ids, as JSON. Resolved to people only at approval.
    audience: Mapped[str] = mapped_column(Text, default="{}")
    audience_count: Mapped[int] = mapped_column(Integer, default=0)  # frozen at approval
    scheduled_for: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("staff_user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    stop_reason: Mapped[str] = mapped_column(Text, default="")
    # SendGrid answered 429: no sender posts any of this batch's chunks before then (every engine).
    paused_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Letter batches: the print-vendor file, AES-GCM encrypted on disk under instance/letters/.
    letter_file: Mapped[str] = mapped_column(String(200), default="")
    letter_sha256: Mapped[str] = mapped_column(String(64), default="")


class Notification(db.Model):
    """One person in one batch. The database is the source of truth for whether they were mailed."""

    __tablename__ = "notification"
    __table_args__ = (
        UniqueConstraint("batch_id", "person_id", name="uq_notification_batch_person"),
        Index("ix_notification_batch_status", "batch_id", "status"),
        Index("ix_notification_status_next_attempt", "status", "next_attempt_at"),
        # Only what is still due: claiming the next chunk walks queued rows of one content in id
        # order and never the rows already sent, so the last chunk costs what the first did.
        Index(
            "ix_notification_due",
            "batch_id",
            "language",
            "jurisdiction",
            "id",
            postgresql_where=text("status = 'queued'"),
            sqlite_where=text("status = 'queued'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("batch.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    language: Mapped[str] = mapped_column(String(35))
    jurisdiction: Mapped[str] = mapped_column(String(8), default="")
    status: Mapped[str] = mapped_column(String(16))
    notice_code_id: Mapped[int | None] = mapped_column(ForeignKey("notice_code.id", ondelete="SET NULL"))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # when it went "sending", then "posting"
    # Which claim holds the row while "sending"/"posting": a sender only marks and settles rows that
    # still carry its own token, so one that was paused while its rows were reaped posts nothing.
    claim_token: Mapped[str | None] = mapped_column(String(32))
    # X-Message-Id. Not indexed: events find their row by custom_args.notification_id, and an index
    # here cost every accepted chunk a thousand index writes for nothing.
    provider_message_id: Mapped[str] = mapped_column(String(100), default="")
    last_error: Mapped[str] = mapped_column(Text, default="")
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Unix time of the newest delivery event applied: an older event never overrides a newer one.
    last_event_at: Mapped[int] = mapped_column(BigInteger, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class NotificationEvent(db.Model):
    """A delivery event from the SendGrid webhook (or our own state changes), deduplicated."""

    __tablename__ = "notification_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    notification_id: Mapped[int | None] = mapped_column(ForeignKey("notification.id", ondelete="CASCADE"), index=True)
    sg_event_id: Mapped[str | None] = mapped_column(String(100), unique=True)
    # sha256 of (sg_message_id, event, timestamp): SendGrid can repeat an event under a new id.
    dedupe_key: Mapped[str] = mapped_column(String(64), unique=True)
    event: Mapped[str] = mapped_column(String(32))
    occurred_at: Mapped[int] = mapped_column(BigInteger)  # the event's own Unix timestamp
    reason: Mapped[str] = mapped_column(Text, default="")  # bounce/drop reason, truncated
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

"""What a contractor does after seeing their exposure: steps done, monitoring, updates."""

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
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


class MonitoringProduct(db.Model):
    __tablename__ = "monitoring_product"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incident.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    provider: Mapped[str] = mapped_column(String(200))
    months: Mapped[int] = mapped_column(Integer)
    countries: Mapped[str] = mapped_column(Text, default="")  # comma-separated ISO 3166-1; empty = everywhere
    requires_us_credit_file: Mapped[bool] = mapped_column(Boolean, default=False)
    enrollment_url: Mapped[str] = mapped_column(String(500))
    low_pool_threshold: Mapped[int] = mapped_column(Integer, default=100)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ActivationCode(db.Model):
    """A provider's activation code. Encrypted at rest; the keyed hash catches duplicate imports."""

    __tablename__ = "activation_code"
    __table_args__ = (UniqueConstraint("product_id", "code_hash", name="uq_activation_code_product_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("monitoring_product.id", ondelete="CASCADE"))
    code_hash: Mapped[str] = mapped_column(String(64))
    code_enc: Mapped[str] = mapped_column(Text)
    # Unique: one code can never go to two enrollments, whatever the race.
    enrollment_id: Mapped[int | None] = mapped_column(
        ForeignKey("monitoring_enrollment.id", ondelete="SET NULL"), unique=True
    )
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    assigned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class MonitoringEnrollment(db.Model):
    __tablename__ = "monitoring_enrollment"
    __table_args__ = (UniqueConstraint("person_id", "product_id", name="uq_monitoring_enrollment_person_product"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("monitoring_product.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(16))
    consented_at: Mapped[datetime] = mapped_column(UTCDateTime)
    consent_ip: Mapped[str] = mapped_column(String(45), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    served_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # when a code was assigned
    emailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Subscription(db.Model):
    """Update emails about an incident. The unsubscribe token is stored hashed, like notice codes."""

    __tablename__ = "subscription"
    __table_args__ = (UniqueConstraint("person_id", "incident_id", name="uq_subscription_person_incident"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incident.id", ondelete="CASCADE"), index=True)
    unsubscribe_token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    subscribed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    unsubscribed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class IncidentUpdate(db.Model):
    """A public update posted by admins: shown on the incident page and emailed to subscribers."""

    __tablename__ = "incident_update"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incident.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    body_markdown: Mapped[str] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    emailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

"""Credit monitoring: the products offered, their providers' activation codes, who enrolled."""

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from portal.core.time import utcnow
from portal.extensions import db
from portal.models._types import UTCDateTime


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

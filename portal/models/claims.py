"""A claim for one incident by one person, its benefits, proof, status history and fraud signals."""

from datetime import date, datetime

from sqlalchemy import BigInteger, Boolean, Date, ForeignKey, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.core.time import utcnow
from portal.extensions import db
from portal.models._types import UTCDateTime


class ClaimSettings(db.Model):
    """What an incident's claims process offers (one row per incident; see docs/claims.md)."""

    __tablename__ = "claim_settings"

    incident_id: Mapped[int] = mapped_column(ForeignKey("incident.id", ondelete="CASCADE"), primary_key=True)
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    out_of_pocket_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    out_of_pocket_cap_cents: Mapped[int] = mapped_column(BigInteger, default=500_000)
    lost_time_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    lost_time_rate_cents: Mapped[int] = mapped_column(BigInteger, default=2_500)  # per hour
    lost_time_self_attested_hours: Mapped[int] = mapped_column(Integer, default=4)
    lost_time_max_hours: Mapped[int] = mapped_column(Integer, default=20)  # with documents
    alternative_cash_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    alternative_cash_cents: Mapped[int] = mapped_column(BigInteger, default=10_000)
    monitoring_instead_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    payment_methods: Mapped[str] = mapped_column(Text, default="bank_transfer,paypal,check")  # comma-separated
    appeal_window_days: Mapped[int] = mapped_column(Integer, default=30)
    cure_period_days: Mapped[int] = mapped_column(Integer, default=30)
    max_file_bytes: Mapped[int] = mapped_column(BigInteger, default=10 * 1024 * 1024)
    max_claim_bytes: Mapped[int] = mapped_column(BigInteger, default=40 * 1024 * 1024)


class Claim(db.Model):
    __tablename__ = "claim"
    __table_args__ = (UniqueConstraint("person_id", "incident_id", name="uq_claim_person_incident"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(20), unique=True)  # short, unambiguous, not guessable
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incident.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(16), index=True)
    draft: Mapped[str] = mapped_column(Text, default="{}")  # JSON of the steps filled in so far
    payment_method: Mapped[str] = mapped_column(String(32), default="")
    payment_details_enc: Mapped[str | None] = mapped_column(Text)  # AES-GCM JSON of the method's fields
    # Keyed hash of the normalised payout account: finds the same account on several claims.
    payout_account_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    attestation_name: Mapped[str] = mapped_column(String(200), default="")
    attested_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attestation_ip: Mapped[str] = mapped_column(String(45), default="")
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_reason: Mapped[str] = mapped_column(Text, default="")  # shown to the claimant on denial
    appeal_deadline: Mapped[date | None] = mapped_column(Date)
    info_request: Mapped[str] = mapped_column(Text, default="")  # the deficiency notice's text
    cure_deadline: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    benefits: Mapped[list["ClaimBenefit"]] = relationship(lazy="selectin", cascade="all, delete-orphan")


class ClaimBenefit(db.Model):
    __tablename__ = "claim_benefit"

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claim.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    amount_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    hours: Mapped[float] = mapped_column(Numeric(6, 2), default=0)
    incurred_on: Mapped[date | None] = mapped_column(Date)
    description: Mapped[str] = mapped_column(Text, default="")


class ClaimDocument(db.Model):
    """An uploaded proof file, stored outside static/ under a random name; served only as attachment."""

    __tablename__ = "claim_document"

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claim.id", ondelete="CASCADE"), index=True)
    benefit_id: Mapped[int | None] = mapped_column(ForeignKey("claim_benefit.id", ondelete="SET NULL"))
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    content_type: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ClaimStatusChange(db.Model):
    __tablename__ = "claim_status_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claim.id", ondelete="CASCADE"), index=True)
    from_status: Mapped[str] = mapped_column(String(16), default="")
    to_status: Mapped[str] = mapped_column(String(16))
    actor: Mapped[str] = mapped_column(String(120))  # "staff:3", "contractor:<uid>"
    note: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class FraudSignal(db.Model):
    """A reason for legal to look twice. Signals inform; they never decide a claim."""

    __tablename__ = "fraud_signal"
    __table_args__ = (UniqueConstraint("claim_id", "kind", name="uq_fraud_signal_claim_kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claim.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(40), index=True)
    detail: Mapped[str] = mapped_column(Text)  # e.g. "same payout account as claims K7Q-…, M2X-…"
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

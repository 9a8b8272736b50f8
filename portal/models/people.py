from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.core.time import utcnow
from portal.crypto import crypto, person_field_aad
from portal.crypto.notice_codes import NOTICE_CODE_HASH_CHARS
from portal.extensions import db
from portal.models._types import UTCDateTime


class Person(db.Model):
    """An affected contractor. Sensitive fields are AES-GCM ciphertexts (``*_enc``)."""

    __tablename__ = "person"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Random, generated before insert so it can be bound into ciphertexts during bulk import.
    uid: Mapped[str] = mapped_column(String(32), unique=True)
    contractor_id: Mapped[str] = mapped_column(String(64), unique=True)
    first_name: Mapped[str] = mapped_column(String(200))
    last_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254), default="")
    email_bidx: Mapped[str | None] = mapped_column(String(64), index=True)
    country: Mapped[str] = mapped_column(String(2))
    region: Mapped[str] = mapped_column(String(6), default="")
    preferred_language: Mapped[str] = mapped_column(String(35), default="en")
    phone_enc: Mapped[str | None] = mapped_column(Text)
    address_enc: Mapped[str | None] = mapped_column(Text)  # JSON: line1, line2, city, postal_code
    date_of_birth_enc: Mapped[str | None] = mapped_column(Text)
    national_id_last4_enc: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    exposures: Mapped[list["Exposure"]] = relationship(back_populates="person", lazy="selectin")

    def decrypt_field(self, field: str) -> str | None:
        token = getattr(self, f"{field}_enc")
        return None if token is None else crypto().cipher.decrypt(token, person_field_aad(self.uid, field))

    def encrypt_field(self, field: str, value: str | None) -> None:
        token = None if not value else crypto().cipher.encrypt(value, person_field_aad(self.uid, field))
        setattr(self, f"{field}_enc", token)

    @property
    def date_of_birth(self) -> date | None:
        text = self.decrypt_field("date_of_birth")
        return date.fromisoformat(text) if text else None


class Exposure(db.Model):
    """One category of one person's data exposed in one incident."""

    __tablename__ = "exposure"
    __table_args__ = (UniqueConstraint("person_id", "incident_id", "category", name="uq_exposure_person_category"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    incident_id: Mapped[int] = mapped_column(ForeignKey("incident.id", ondelete="CASCADE"), index=True)
    category: Mapped[str] = mapped_column(String(32), index=True)
    detail: Mapped[str] = mapped_column(Text, default="")
    exposed_at: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # When subscribers were told about this exposure (a category added after they subscribed).
    alerted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    person: Mapped[Person] = relationship(back_populates="exposures")


class NoticeCode(db.Model):
    """A code printed in a notice. Only its keyed hash is stored; the code itself is never kept."""

    __tablename__ = "notice_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(NOTICE_CODE_HASH_CHARS), unique=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incident.id", ondelete="CASCADE"))
    source: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from portal.core.time import utcnow
from portal.extensions import db
from portal.models._types import UTCDateTime


class Incident(db.Model):
    __tablename__ = "incident"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    what_happened: Mapped[str] = mapped_column(Text, default="")  # Markdown, public
    what_we_are_doing: Mapped[str] = mapped_column(Text, default="")  # Markdown, public
    discovered_on: Mapped[date] = mapped_column(Date)
    occurred_on: Mapped[date | None] = mapped_column(Date)
    claim_deadline: Mapped[date | None] = mapped_column(Date)
    enrollment_deadline: Mapped[date | None] = mapped_column(Date)
    monitoring_months: Mapped[int] = mapped_column(Integer, default=0)
    contact_email: Mapped[str] = mapped_column(String(254), default="")
    contact_phone: Mapped[str] = mapped_column(String(64), default="")
    contact_hours: Mapped[str] = mapped_column(String(200), default="")
    published: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class PublicPageVersion(db.Model):
    """One row whose ``version`` changes whenever what GET / shows may have changed.

    Database triggers (migration 0013) give it a new random value after every statement that writes
    ``incident``, ``incident_update`` or ``organisation``, whoever runs it: the app in any worker,
    a command, or someone at a SQL prompt. Every worker reads it (one primary-key look-up) before
    serving its cached page, so an edit anywhere shows on the next request everywhere. Random, not
    counted: after a restore or an emptied table a count could repeat a value a worker has cached.
    """

    __tablename__ = "public_page_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger)

from datetime import datetime

from sqlalchemy import DateTime, Index, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import db


class WebSession(db.Model):
    """A browser session kept server-side (portal/web/sessions.py); the cookie holds only its random id.

    The columns are those Flask-Session's SQLAlchemy store reads and writes: ``expiry`` is a naive
    UTC time because that is what it compares with.
    """

    __tablename__ = "web_session"
    __table_args__ = (Index("ix_web_session_expiry", "expiry"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[str] = mapped_column(String(255), unique=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    expiry: Mapped[datetime] = mapped_column(DateTime)

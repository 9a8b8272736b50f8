from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import BigInteger, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from portal.core.time import utcnow
from portal.extensions import db
from portal.models._types import UTCDateTime


class StaffUser(UserMixin, db.Model):
    __tablename__ = "staff_user"
    __mapper_args__ = {"eager_defaults": False}

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(Text)  # argon2id
    role: Mapped[str] = mapped_column(String(16))
    totp_secret_enc: Mapped[str] = mapped_column(Text)  # AES-GCM, like personal fields
    # The last TOTP time-step accepted: a code is good once, even inside its 30 s window.
    last_totp_step: Mapped[int] = mapped_column(BigInteger, default=0)
    active: Mapped[bool] = mapped_column(default=True)
    # Copied into each session at sign-in; raising it ends every session at once (staff/revocation.py).
    # Filled in by the database and loaded only where sessions are checked, so no other INSERT or
    # SELECT names it: code (or a migration test's data) written for the schema before still works.
    session_epoch: Mapped[int] = mapped_column(server_default="0", deferred=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_sign_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active


class StaffInvite(db.Model):
    """A one-time enrolment link: whoever opens it sets a password and an authenticator, once,
    before ``expires_at``. Only the SHA-256 of the link's token is kept (the token has 256 bits,
    so a plain hash cannot be reversed by guessing). With ``staff_user_id`` it re-enrols an
    existing account (after a TOTP reset); without, it creates the account."""

    __tablename__ = "staff_invite"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    role: Mapped[str] = mapped_column(String(16))
    staff_user_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    created_by: Mapped[int] = mapped_column(ForeignKey("staff_user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

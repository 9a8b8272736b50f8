from datetime import datetime

from sqlalchemy import select, update

from portal.extensions import db
from portal.models import StaffUser


def dao_get_staff_user_by_email(email: str) -> StaffUser | None:
    return db.session.scalar(select(StaffUser).where(StaffUser.email == email))


def dao_get_staff_user_by_id(user_id: int) -> StaffUser | None:
    return db.session.get(StaffUser, user_id)


def dao_add_staff_user(user: StaffUser) -> StaffUser:
    db.session.add(user)
    db.session.flush()  # the id goes into the audit event written in the same transaction
    return user


def dao_claim_totp_step(user_id: int, step: int) -> bool:
    """Record ``step`` as used; False if it (or a later one) was used already.

    One conditional UPDATE, so two requests racing with the same code cannot both win: on
    PostgreSQL the second waits for the first's row lock, re-reads the row and matches nothing.
    """
    result = db.session.execute(
        update(StaffUser)
        .where(StaffUser.id == user_id, StaffUser.last_totp_step < step)
        .values(last_totp_step=step)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def dao_set_staff_last_sign_in(user: StaffUser, at: datetime) -> None:
    user.last_sign_in_at = at


def dao_raise_session_epoch(user_id: int) -> None:
    """One atomic UPDATE: two revocations at once both count, and neither reads a stale value.

    SQLAlchemy also updates a StaffUser already loaded in this session, which must not keep the old epoch.
    """
    db.session.execute(
        update(StaffUser).where(StaffUser.id == user_id).values(session_epoch=StaffUser.session_epoch + 1)
    )


def dao_set_staff_active(user: StaffUser, active: bool) -> None:
    user.active = active


def dao_set_staff_totp(user: StaffUser, secret_enc: str) -> None:
    user.totp_secret_enc = secret_enc
    user.last_totp_step = 0


def dao_list_staff_users() -> list[StaffUser]:
    return list(db.session.scalars(select(StaffUser).order_by(StaffUser.email)))

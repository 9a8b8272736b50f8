from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import undefer

from portal.dao.sql import is_postgres
from portal.extensions import db
from portal.models import StaffInvite, StaffUser


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


def _take_sqlite_write_lock() -> None:
    """SQLite ignores FOR UPDATE: a write that changes nothing takes its one writer lock now, so
    what this transaction reads next cannot be changed under it (and a second writer waits here)."""
    if not is_postgres():
        db.session.execute(update(StaffUser).where(StaffUser.id == -1).values(role=StaffUser.role))


def dao_lock_staff_rows(ids: list[int]) -> dict[int, StaffUser]:
    """Lock these accounts (in id order, so two admins acting on each other queue rather than
    deadlock) and return them re-read."""
    _take_sqlite_write_lock()
    query = select(StaffUser).where(StaffUser.id.in_(sorted(set(ids)))).order_by(StaffUser.id).with_for_update()
    return {user.id: user for user in db.session.scalars(query.execution_options(populate_existing=True))}


def dao_lock_active_admin_ids() -> list[int]:
    """Every active admin, locked: whoever changes who is an admin holds this set until commit."""
    _take_sqlite_write_lock()
    query = (
        select(StaffUser.id)
        .where(StaffUser.role == "admin", StaffUser.active.is_(True))
        .order_by(StaffUser.id)
        .with_for_update()
    )
    return list(db.session.scalars(query))


def dao_set_staff_role(user: StaffUser, role: str) -> None:
    user.role = role


def dao_add_staff_invite(invite: StaffInvite) -> StaffInvite:
    db.session.add(invite)
    db.session.flush()
    return invite


def dao_get_staff_invite_by_token_hash(token_hash: str) -> StaffInvite | None:
    return db.session.scalar(select(StaffInvite).where(StaffInvite.token_hash == token_hash))


def dao_get_staff_invite(invite_id: int) -> StaffInvite | None:
    return db.session.get(StaffInvite, invite_id)


def dao_claim_staff_invite(invite_id: int, now: datetime) -> bool:
    """Mark the invite used; False if it was used, revoked or expired first (one conditional UPDATE,
    so two submissions of one link cannot both enrol)."""
    result = db.session.execute(
        update(StaffInvite)
        .where(
            StaffInvite.id == invite_id,
            StaffInvite.used_at.is_(None),
            StaffInvite.revoked_at.is_(None),
            StaffInvite.expires_at > now,
        )
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def dao_revoke_open_invites(email: str, now: datetime) -> None:
    """An older link for the same address stops working when a new one is made."""
    db.session.execute(
        update(StaffInvite)
        .where(StaffInvite.email == email, StaffInvite.used_at.is_(None), StaffInvite.revoked_at.is_(None))
        .values(revoked_at=now)
        .execution_options(synchronize_session=False)
    )


def dao_list_open_invites(now: datetime) -> list[StaffInvite]:
    query = (
        select(StaffInvite)
        .where(StaffInvite.used_at.is_(None), StaffInvite.revoked_at.is_(None), StaffInvite.expires_at > now)
        .order_by(StaffInvite.created_at.desc())
    )
    return list(db.session.scalars(query))


def dao_get_staff_user_for_session(user_id: int) -> StaffUser | None:
    """The user with ``session_epoch`` loaded: every staff request compares it with the session's."""
    return db.session.get(StaffUser, user_id, options=[undefer(StaffUser.session_epoch)])

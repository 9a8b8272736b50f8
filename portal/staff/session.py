"""The staff session between and after the two sign-in steps.

After the password step the session holds only the user's id and when that step passed; the
code step must follow within PENDING_MINUTES. ``login_user`` happens only after the code. Each
step starts a session with a new id (portal/web/sessions.py), so an id known before signing in, or
copied before signing out, opens nothing.
"""

import time
from urllib.parse import urlsplit

from flask import session
from flask_login import login_user, logout_user

from portal.models import StaffUser
from portal.staff.auth import EPOCH_KEY, SEEN_KEY, SIGNED_IN_KEY
from portal.staff.service import get_pending_staff_user
from portal.web.sessions import clear_session, renew_session_id

PENDING_USER_KEY = "staff_pending_id"
PENDING_SINCE_KEY = "staff_pending_at"
PENDING_NEXT_KEY = "staff_pending_next"
PENDING_MINUTES = 5


def safe_next_path(target: str | None) -> str | None:
    """``target`` if it is a path on this site; None for anything that could leave it (``//evil``, ``https:``)."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or any(ord(ch) < 33 for ch in target):
        return None
    parts = urlsplit(target)
    return None if parts.scheme or parts.netloc else target


def start_pending_sign_in(user: StaffUser, next_path: str | None) -> None:
    clear_session()
    session[PENDING_USER_KEY] = user.id
    session[PENDING_SINCE_KEY] = int(time.time())
    if safe_next_path(next_path):
        session[PENDING_NEXT_KEY] = next_path
    renew_session_id()


def _drop_pending() -> None:
    for key in (PENDING_USER_KEY, PENDING_SINCE_KEY, PENDING_NEXT_KEY):
        session.pop(key, None)


def pending_user() -> StaffUser | None:
    """The user who passed the password step less than PENDING_MINUTES ago, if any."""
    user_id = session.get(PENDING_USER_KEY)
    if not isinstance(user_id, int):
        return None
    if time.time() - session.get(PENDING_SINCE_KEY, 0) > PENDING_MINUTES * 60:
        _drop_pending()
        return None
    return get_pending_staff_user(user_id)


def pending_key() -> str:
    """Rate-limit key for the code step: the account being signed in to, whichever IP it comes from."""
    return f"staff-pending:{session.get(PENDING_USER_KEY, '')}"


def finish_sign_in(user: StaffUser) -> str | None:
    """Sign the user in for real; returns the local path they were heading for, if any."""
    next_path = safe_next_path(session.get(PENDING_NEXT_KEY))
    clear_session()
    login_user(user)
    session.permanent = True
    now = int(time.time())
    session[SEEN_KEY] = session[SIGNED_IN_KEY] = now
    session[EPOCH_KEY] = user.session_epoch  # raising the account's epoch ends this session (revocation.py)
    renew_session_id()
    return next_path


def end_staff_session() -> None:
    """This browser's session: emptied, its id retired. Every other session: service.record_sign_out."""
    logout_user()
    clear_session()
    renew_session_id()

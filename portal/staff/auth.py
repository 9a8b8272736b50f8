"""Who a staff request is, and what their role lets them do.

Staff sign in with an argon2id password and a TOTP code (see service.py). A staff session ends
after STAFF_SESSION_MINUTES without a request, STAFF_SESSION_MAX_HOURS after signing in however
active, and at once everywhere when the person signs out, is deactivated or has their TOTP reset
(revocation.py). Every staff route names the roles it allows.
"""

import time
from functools import wraps

from flask import abort, current_app, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, logout_user

from portal.dao.staff import dao_get_staff_user_for_session
from portal.extensions import login_manager
from portal.models import StaffUser

SEEN_KEY = "staff_seen_at"
SIGNED_IN_KEY = "staff_signed_in_at"
EPOCH_KEY = "staff_session_epoch"


@login_manager.user_loader
def load_staff_user(user_id: str) -> StaffUser | None:
    """The signed-in user, unless their sessions were ended (revocation.py) or the account deactivated."""
    if not user_id.isdigit():
        return None
    user = dao_get_staff_user_for_session(int(user_id))
    if user is None or not user.active or session.get(EPOCH_KEY) != user.session_epoch:
        return None
    return user


@login_manager.unauthorized_handler
def _send_to_sign_in():
    return redirect(url_for("staff.sign_in", next=request.path))


def staff_session_expired() -> bool:
    """Idle for longer than STAFF_SESSION_MINUTES, or signed in longer ago than STAFF_SESSION_MAX_HOURS."""
    now, config = time.time(), current_app.config
    idle = now - session.get(SEEN_KEY, 0) > config["STAFF_SESSION_MINUTES"] * 60
    return idle or now - session.get(SIGNED_IN_KEY, 0) > config["STAFF_SESSION_MAX_HOURS"] * 3600


def role_required(*roles: str):
    """Signed in, session fresh, and one of ``roles``; 403 otherwise. Refreshes the idle timer."""

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if staff_session_expired():
                logout_user()
                for key in (SEEN_KEY, SIGNED_IN_KEY, EPOCH_KEY):
                    session.pop(key, None)
                flash(_("Your session timed out. Sign in again."), "info")
                return login_manager.unauthorized()
            if current_user.role not in roles:
                abort(403)
            session[SEEN_KEY] = int(time.time())
            return view(*args, **kwargs)

        wrapper.allowed_roles = tuple(roles)
        return wrapper

    return decorator

"""Who a staff request is, and what their role lets them do.

Staff sign in with an argon2id password and a TOTP code (see service.py). A staff session ends
after STAFF_SESSION_MINUTES without a request; every staff route names the roles it allows.
"""

import time
from functools import wraps

from flask import abort, current_app, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, logout_user

from portal.extensions import db, login_manager
from portal.models import StaffUser

SEEN_KEY = "staff_seen_at"


@login_manager.user_loader
def load_staff_user(user_id: str) -> StaffUser | None:
    return db.session.get(StaffUser, int(user_id)) if user_id.isdigit() else None


@login_manager.unauthorized_handler
def _send_to_sign_in():
    return redirect(url_for("staff.sign_in", next=request.path))


def staff_session_expired() -> bool:
    seen = session.get(SEEN_KEY, 0)
    return time.time() - seen > current_app.config["STAFF_SESSION_MINUTES"] * 60


def role_required(*roles: str):
    """Signed in, session fresh, and one of ``roles``; 403 otherwise. Refreshes the idle timer."""

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if staff_session_expired():
                logout_user()
                session.pop(SEEN_KEY, None)
                flash(_("Your session timed out. Sign in again."), "info")
                return login_manager.unauthorized()
            if current_user.role not in roles:
                abort(403)
            session[SEEN_KEY] = int(time.time())
            return view(*args, **kwargs)

        wrapper.allowed_roles = tuple(roles)
        return wrapper

    return decorator

"""The contractor's verified session: no password, a session kept server-side that expires.

Expiry is checked against the time stored in the session, not only the cookie's own lifetime.
Verifying starts a session with a new id, and signing out (or expiry) empties it and retires the
id (portal/web/sessions.py): a copied cookie opens nothing after, and nothing the person typed (an
exclusion request's draft) outlives the session.
"""

import time
from functools import wraps

from flask import current_app, flash, redirect, session, url_for
from flask_babel import gettext as _

from portal.dao.erasure import ERASED_PREFIX
from portal.dao.people import dao_get_person_by_uid
from portal.models import Person
from portal.web.sessions import clear_session, renew_session_id

UID_KEY = "contractor_uid"
SINCE_KEY = "contractor_since"


def start_contractor_session(person: Person) -> None:
    clear_session()  # no state from before verification survives it, but the language picked
    session.permanent = True
    session[UID_KEY] = person.uid
    session[SINCE_KEY] = int(time.time())
    session["contractor_lang"] = person.preferred_language
    renew_session_id()


def end_contractor_session() -> None:
    """Sign-out or expiry: everything the session held goes (drafts too), and its id with it."""
    clear_session()
    renew_session_id()


def contractor_signed_in() -> bool:
    """A verified session that has not expired (no database lookup: every page's header asks)."""
    if not session.get(UID_KEY):
        return False
    age = time.time() - session.get(SINCE_KEY, 0)
    return age <= current_app.config["CONTRACTOR_SESSION_MINUTES"] * 60


def current_person() -> Person | None:
    if not session.get(UID_KEY):
        return None
    if not contractor_signed_in():  # expired: forget it, so the header stops offering Sign out
        end_contractor_session()
        return None
    person = dao_get_person_by_uid(session[UID_KEY])
    if person is None or person.contractor_id.startswith(ERASED_PREFIX):  # erased while signed in
        end_contractor_session()
        return None
    return person


def contractor_required(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        person = current_person()
        if person is None:
            flash(_("For your security, please check your details again to continue."), "info")
            return redirect(url_for("verify.check"))
        return view(person, *args, **kwargs)

    # Marks the signed-in pages, so a test can find every one (each must offer Sign out).
    wrapper.contractor_page = True
    return wrapper

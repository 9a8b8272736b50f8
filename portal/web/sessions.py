"""Server-side sessions (Flask-Session): the cookie holds only a random id, the data stays with us.

Flask's own sessions live in the signed cookie, so signing out cannot end them: a copy of the
cookie taken before keeps working until it expires, and whatever the session held (an exclusion
request's typed name and reason) travels readable in it. Here the cookie is an opaque id into a
store every web process shares:

* ``SESSION_STORAGE_URI=redis://…`` — Redis, which expires entries itself (production);
* ``SESSION_STORAGE_URI=database`` (the default) — the ``web_session`` table in the app's own
  database, created by the migrations like every other table (the embedded mode and the tests).

Signing in or out gives the session a new id and deletes the old one's data
(:func:`renew_session_id`), so a cookie copied before opens nothing after. Ending every session of
a staff member at once (sign-out, deactivation, a TOTP reset) is portal/staff/revocation.py.
"""

import redis
from flask import Flask, current_app, session
from flask_session.base import ServerSideSessionInterface
from flask_session.redis import RedisSessionInterface
from flask_session.sqlalchemy import SqlAlchemySessionInterface

from portal.config import SESSION_STORAGE_IN_DATABASE
from portal.extensions import db

KEY_PREFIX = "portal-session:"
# 256 bits from the operating system's generator (secrets.token_urlsafe): not guessable, so unsigned.
SESSION_ID_BYTES = 32
# Expired rows of the database store are deleted on average once every this many requests (they
# are refused when read anyway; this only keeps the table small).
CLEANUP_EVERY_REQUESTS = 500
RENEWING_KEY = "_renewing"


class DatabaseSessionInterface(SqlAlchemySessionInterface):
    """Flask-Session's SQLAlchemy store on the ``web_session`` table the migrations create.

    Flask-Session 0.8 defines its own model and creates its table at start-up, outside the
    migrations (and once per app, which a second app in one process trips over). This keeps
    everything of its store but the model: the table is ``portal.models.WebSession``.

    The store reads and writes on the request's own database session, and commits it when the
    web session changed; every view commits or rolls back its own work before it returns, so
    nothing half-done is committed with it.
    """

    def __init__(self, app: Flask) -> None:
        from portal.models import WebSession

        self.client = db
        self.sql_session_model = WebSession
        ServerSideSessionInterface.__init__(
            self,
            app,
            key_prefix=KEY_PREFIX,
            use_signer=False,
            permanent=True,
            sid_length=SESSION_ID_BYTES,
            serialization_format="msgpack",
            # Not in tests: a clean-up at a random request would commit whatever the test left pending.
            cleanup_n_requests=None if app.testing else CLEANUP_EVERY_REQUESTS,
        )


def init_sessions(app: Flask) -> None:
    uri = app.config["SESSION_STORAGE_URI"]
    if uri == SESSION_STORAGE_IN_DATABASE:
        app.session_interface = DatabaseSessionInterface(app)
        return
    app.session_interface = RedisSessionInterface(
        app,
        client=redis.Redis.from_url(uri),
        key_prefix=KEY_PREFIX,
        use_signer=False,
        permanent=True,
        sid_length=SESSION_ID_BYTES,
        serialization_format="msgpack",
    )


def renew_session_id() -> None:
    """Give the session a new id and delete what the old one held; call after signing in or out.

    A cookie copied before then (or planted by someone else before sign-in) names nothing any more.
    """
    # Flask-Session renews only a non-empty session, and an emptied one may be filled again in the
    # same request (the "You have signed out" message), which would keep the old id: hold it open.
    session[RENEWING_KEY] = True
    current_app.session_interface.regenerate(session)
    session.pop(RENEWING_KEY)


def clear_session(keep: tuple[str, ...] = ("lang",)) -> None:
    """Empty the session but for ``keep`` (the language someone picked is not a secret)."""
    kept = {key: session[key] for key in keep if key in session}
    session.clear()
    session.update(kept)

"""GET / for anonymous visitors: the page is rendered once per language and content version.

The incident page is the same for every visitor who is not signed in, but for two things:

* the language, which is part of the key (the locale chosen from the session's choice, the
  register's language or the browser's Accept-Language, so ``<html lang>``, the selector and
  every date follow it), with the script root the links are built under;
* the CSRF token of the language selector's form, which is bound to the visitor's session. The
  form cannot go without it: for a verified contractor the same POST changes the language we
  write to them in (portal/public/language.py), a change another site must not be able to make.
  So the page is kept cut at the token, and each response is joined with the visitor's own.

Nothing else on it is personal for an anonymous visitor: the Sign out form and flashed messages
appear only for sessions this module never serves from the cache, and the Content-Security-Policy
uses no nonce (no inline script or style anywhere, portal/__init__.py).

Validity: every worker reads the version the database triggers change after any write to
incidents, updates or the organisation's row (``PublicPageVersion``) and serves a kept page only
if it was rendered at that version, so an edit made anywhere shows on the next request of every
worker. A page rendered while an edit commits may hold the newer text under the older version;
the next request sees the new version and renders again, so no page is ever older than its key.
"""

import threading

from flask import current_app, render_template, request, session
from flask_wtf.csrf import generate_csrf
from markupsafe import escape

from portal.core.i18n import current_language
from portal.core.rendering import render_markdown
from portal.dao.incidents import dao_get_public_page_version, dao_get_published_incidents
from portal.verify.session import UID_KEY

# A verified contractor (Sign out in the header), a staff member (Flask-Login's key) or a message
# waiting to be shown: such a visit gets the page rendered for it alone.
PERSONAL_SESSION_KEYS = (UID_KEY, "_user_id", "_flashes")
# One page per language is what a worker keeps in practice (a new version replaces a language's
# page); the bound only matters if script roots multiply.
MAX_PAGES = 32
_EXTENSION_KEY = "public_page_cache"


class PageCache:
    """Pages cut at the CSRF token, per key, each with the version it was rendered at."""

    def __init__(self, max_pages: int = MAX_PAGES) -> None:
        self._pages: dict[tuple, tuple[int, tuple[str, ...]]] = {}
        self._max_pages = max_pages
        self._lock = threading.Lock()  # gunicorn's threads share a worker's cache

    def get(self, key: tuple, version: int) -> tuple[str, ...] | None:
        kept = self._pages.get(key)
        return kept[1] if kept is not None and kept[0] == version else None

    def put(self, key: tuple, version: int, parts: tuple[str, ...]) -> None:
        with self._lock:
            self._pages.pop(key, None)
            while len(self._pages) >= self._max_pages:
                self._pages.pop(next(iter(self._pages)))  # the oldest kept
            self._pages[key] = (version, parts)

    def clear(self) -> None:
        with self._lock:
            self._pages.clear()


def page_cache() -> PageCache:
    return current_app.extensions.setdefault(_EXTENSION_KEY, PageCache())


def render_incident_page() -> str:
    return render_template("public/incident.html", incidents=dao_get_published_incidents(), markdown=render_markdown)


def anonymous_visit() -> bool:
    return not any(key in session for key in PERSONAL_SESSION_KEYS)


def incident_page_response() -> str:
    """The page from the cache when it may be, else rendered (and kept when it may be)."""
    if not anonymous_visit():
        return render_incident_page()
    version = dao_get_public_page_version()
    if version is None:  # the row is gone (emptied by hand): nothing tells us when the page changes
        return render_incident_page()
    key = (current_language(), request.script_root)
    cache = page_cache()
    parts = cache.get(key, version)
    if parts is None:
        page = render_incident_page()
        # The render put this request's token (one per request, kept in g) wherever the page has
        # one; it is a signed random value, so it occurs nowhere else.
        parts = tuple(page.split(str(escape(generate_csrf()))))
        cache.put(key, version, parts)
    return str(escape(generate_csrf())).join(parts)

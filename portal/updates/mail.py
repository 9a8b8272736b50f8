"""Mail to contractors (update alerts, incident updates, monitoring codes): in their language, with
links that work outside a request (a CLI import or a worker has no request to build URLs from).
"""

from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import force_locale

from portal.core.i18n import babel_locale, best_language


def public_url(endpoint: str, **values) -> str:
    """An absolute URL on PUBLIC_URL for ``endpoint``, with or without a request."""
    parts = urlsplit(current_app.config["PUBLIC_URL"])
    adapter = current_app.url_map.bind(parts.netloc, script_name=parts.path or "/", url_scheme=parts.scheme or "https")
    return adapter.build(endpoint, values, force_external=True)


@contextmanager
def in_language_of(person) -> Iterator[str]:
    """Render inside this block in the person's preferred language (English if we have no catalog for it)."""
    language = best_language(person.preferred_language) or "en"
    with force_locale(babel_locale(language)):
        yield language

"""A Flask test client that sends CSRF tokens the way a browser does.

CSRF protection is on in tests as in production, so every form POST must carry the token of the
session it belongs to. A browser has it because it loaded the page holding the form; this client
does the same: it remembers the token of the last HTML page it was served, and a form POST
without a ``csrf_token`` gets that one. If no page was loaded yet, or the session has changed
since (signing in or out starts a new one, whose token differs), it loads the POST's own URL and
takes the token from the form there. If that page holds no form either (a POST-only action such
as approving a batch), the test fails and says so: load the page the button is on first.

JSON and raw bodies (``json=``, a str or bytes ``data``) are left alone, as is a form that names
``csrf_token`` itself; ``{"csrf_token": None}`` sends the form without one, to test the refusal.
"""

import re
from html import unescape

from flask.testing import FlaskClient
from itsdangerous import BadData, URLSafeTimedSerializer

FIELD = "csrf_token"
FORM_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Flask-WTF signs the session's raw token with this salt (flask_wtf.csrf.generate_csrf).
TOKEN_SALT = "wtf-csrf-token"
_INPUT = re.compile(r"<input\b[^>]*>", re.IGNORECASE)
_ATTRIBUTE = re.compile(r'([a-zA-Z_:-]+)\s*=\s*"([^"]*)"')


class MissingCsrfToken(AssertionError):
    """A form POST the client could not find a token for, as a browser could not have either."""


def token_in_page(html: str) -> str | None:
    """The value of the first ``csrf_token`` hidden input in ``html``, if any."""
    for tag in _INPUT.findall(html):
        attributes = dict(_ATTRIBUTE.findall(tag))
        if attributes.get("name") == FIELD and attributes.get("value"):
            return unescape(attributes["value"])
    return None


class CsrfClient(FlaskClient):
    """Drop-in for ``app.test_client()``: form POSTs carry the CSRF token of a page this client loaded."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.csrf_token: str | None = None

    def open(self, *args, buffered=False, follow_redirects=False, **kwargs):
        if args and isinstance(args[0], str) and str(kwargs.get("method", "GET")).upper() in FORM_METHODS:
            kwargs = self._with_token(args[0], kwargs)
        response = super().open(*args, buffered=buffered, follow_redirects=follow_redirects, **kwargs)
        self._remember(response)
        return response

    def _remember(self, response) -> None:
        if response.mimetype == "text/html":
            token = token_in_page(response.get_data(as_text=True))
            if token:
                self.csrf_token = token

    def _with_token(self, path: str, kwargs: dict) -> dict:
        data = kwargs.get("data")
        if "json" in kwargs or not (data is None or isinstance(data, dict)):
            return kwargs  # JSON, a raw body or a prepared stream: not a form a browser would submit
        # A copy of the same kind: in a plain dict a tuple is one file upload, in a MultiDict it is not.
        form = data.copy() if data is not None else {}
        if FIELD in form:
            if form[FIELD] is None:
                form.pop(FIELD)
            return {**kwargs, "data": form}
        form[FIELD] = self._token_for(path, kwargs)
        return {**kwargs, "data": form}

    def _token_for(self, path: str, kwargs: dict) -> str:
        if self._still_valid(self.csrf_token):
            return self.csrf_token
        # From the same address and with the same headers, so the page is the one this visitor would see.
        same_visitor = {key: kwargs[key] for key in ("query_string", "environ_base", "headers") if key in kwargs}
        page = self.get(path, follow_redirects=True, **same_visitor)
        if self._still_valid(self.csrf_token):
            return self.csrf_token
        raise MissingCsrfToken(
            f"POST {path}: no CSRF token to send. This client sends the token of the last page it loaded in "
            f"this session, or of the form at the POST's own URL, but GET {path} answered {page.status_code} "
            "without a form holding one. Load the page holding the form first (client.get(...)), as a browser "
            f"would, or pass {FIELD!r} yourself."
        )

    def _still_valid(self, token: str | None) -> bool:
        """True if ``token`` belongs to the session the next request will send (signing in starts another)."""
        if not token:
            return False
        app = self.application
        secret = app.config.get("WTF_CSRF_SECRET_KEY") or app.secret_key
        try:
            raw = URLSafeTimedSerializer(secret, salt=TOKEN_SALT).loads(token)
        except BadData:
            return False
        with self.session_transaction() as session:
            return session.get(app.config.get("WTF_CSRF_FIELD_NAME", FIELD)) == raw

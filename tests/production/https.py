"""A small HTTPS client for the production server: one visitor's cookies, as a browser keeps them.

It trusts only the test's own certificate, sends the session cookie back, follows no redirect by
itself, and sends a same-origin ``Referer`` with each POST, as a browser does under the portal's
referrer policy (Flask-WTF refuses an HTTPS POST without one). Each request opens its own
connection, so many threads can send one visitor's requests at once.
"""

import http.client
import ssl
import threading
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pyotp

from portal.staff.service import create_staff_user
from tests.csrf_client import token_in_page
from tests.factories import STAFF_PASSWORD

TIMEOUT = 30


@dataclass(frozen=True)
class Answer:
    status: int
    headers: http.client.HTTPMessage
    body: str

    @property
    def location(self) -> str:
        return self.headers.get("Location", "")


class Visitor:
    def __init__(self, base_url: str, certificate: Path):
        parts = urlsplit(base_url)
        self.base_url, self.host, self.port = base_url.rstrip("/"), parts.hostname, parts.port
        self._tls = ssl.create_default_context(cafile=str(certificate))
        self.cookies: dict[str, str] = {}
        self.csrf_token: str | None = None
        self._lock = threading.Lock()

    def get(self, path: str) -> Answer:
        answer = self._send("GET", path, None, {})
        token = token_in_page(answer.body) if "text/html" in answer.headers.get("Content-Type", "") else None
        if token:
            self.csrf_token = token
        return answer

    def post(self, path: str, form: dict[str, str], *, with_token: bool = True) -> Answer:
        """A form POST, with the CSRF token of the last page this visitor loaded."""
        fields = {**form, "csrf_token": self.csrf_token or ""} if with_token else dict(form)
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Origin": self.base_url,
            "Referer": f"{self.base_url}{path}",
        }
        return self._send("POST", path, urlencode(fields).encode(), headers)

    def _send(self, method: str, path: str, body: bytes | None, headers: dict[str, str]) -> Answer:
        connection = http.client.HTTPSConnection(self.host, self.port, context=self._tls, timeout=TIMEOUT)
        try:
            with self._lock:
                cookie = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
            if cookie:
                headers = {**headers, "Cookie": cookie}
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            answer = Answer(response.status, response.headers, response.read().decode("utf-8", "replace"))
        finally:
            connection.close()
        self._keep_cookies(answer.headers)
        return answer

    def _keep_cookies(self, headers: http.client.HTTPMessage) -> None:
        for header in headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                with self._lock:
                    if morsel["max-age"] == "0" or not morsel.value:
                        self.cookies.pop(name, None)
                    else:
                        self.cookies[name] = morsel.value


def signed_in_staff(server, email: str, role: str) -> Visitor:
    """A new staff account of ``role``, signed in with password and TOTP through the real server."""
    user, secret = create_staff_user(email, role, STAFF_PASSWORD)
    visitor = Visitor(server.url, server.certificate)
    visitor.get("/staff/sign-in")
    assert visitor.post("/staff/sign-in", {"email": user.email, "password": STAFF_PASSWORD}).status == 302
    visitor.get("/staff/sign-in/code")
    assert visitor.post("/staff/sign-in/code", {"code": pyotp.TOTP(secret).now()}).status == 302
    return visitor

"""A blocking HTTP client for the benchmark's setup: one visitor's cookies, CSRF token and the
headers a proxy terminating TLS adds (the server trusts one proxy, so the scheme is https)."""

import http.client
import re
from http.cookies import SimpleCookie
from urllib.parse import urlencode

TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


def token_in(html: str) -> str:
    found = TOKEN.search(html)
    if not found:
        raise AssertionError(f"no CSRF token in the page: {html[:300]!r}")
    return found.group(1) or found.group(2)


class SetupClient:
    def __init__(self, host: str, port: int, forwarded_for: str):
        self.host, self.port = host, port
        self.proxy_headers = {"X-Forwarded-Proto": "https", "X-Forwarded-For": forwarded_for}
        self.cookies: dict[str, str] = {}

    @property
    def origin(self) -> str:
        return f"https://{self.host}:{self.port}"

    def cookie_header(self) -> dict[str, str]:
        return {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())} if self.cookies else {}

    def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, str, str]:
        """(status, Location, body text)."""
        headers = {**self.proxy_headers, **self.cookie_header()}
        body = None
        if form is not None:
            body = urlencode(form).encode()
            headers |= {
                "Content-Type": "application/x-www-form-urlencoded",
                "Origin": self.origin,
                "Referer": self.origin + path,
            }
        connection = http.client.HTTPConnection(self.host, self.port, timeout=60)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
            for header in response.headers.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(header).items():
                    self.cookies[name] = morsel.value
            return response.status, response.headers.get("Location", ""), text
        finally:
            connection.close()

    def post_form(self, page: str, form: dict, path: str | None = None) -> tuple[int, str, str]:
        """GET the page for its token, then POST the form to it (or to ``path``)."""
        status, _location, html = self.request("GET", page)
        if status != 200:
            raise AssertionError(f"GET {page}: {status}")
        return self.request("POST", path or page, {**form, "csrf_token": token_in(html)})

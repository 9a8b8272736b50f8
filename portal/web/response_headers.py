"""Headers every response gets after the view and Flask-Talisman are done with it.

- ``Cache-Control: no-store`` on every page, the public incident page included, but static files
  and the health check: pages show a person's data or a staff screen, and even the incident page
  carries the language selector's session-bound CSRF token, so no browser or proxy cache may keep
  any of them (the portal keeps the incident page itself, per worker: portal/public/page_cache.py).
  A view that chose its own Cache-Control keeps it.
- Downloads (``Content-Disposition: attachment``) get their own strict policy,
  ``default-src 'none'; sandbox``: what a person uploaded or an export holds must never run as a
  page. Talisman writes the site's policy on every response, so this runs after it.
"""

from flask import Flask, request

DOWNLOAD_CSP = "default-src 'none'; sandbox"
# May be cached: static files are versioned; the health check holds nothing of anyone's.
CACHEABLE_ENDPOINTS = frozenset({"public.healthz", "static"})


def finish_headers(response):
    if response.headers.get("Content-Disposition", "").startswith("attachment"):
        response.headers["Content-Security-Policy"] = DOWNLOAD_CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Cache-Control"] = "no-store"
    elif request.endpoint not in CACHEABLE_ENDPOINTS and "Cache-Control" not in response.headers:
        response.headers["Cache-Control"] = "no-store"
    return response


def init_app(app: Flask) -> None:
    """Call before Talisman's init_app: after-request hooks run last-registered first, so this one
    sees the response after Talisman has set its headers."""
    app.after_request(finish_headers)

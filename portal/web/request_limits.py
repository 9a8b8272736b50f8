"""How big a request body may be, decided by its route before a byte of the body is read.

Werkzeug reads a form or ``get_data()`` whole into memory, so a single app-wide cap big enough
for a register import (hundreds of megabytes) let anyone, signed in or not, make a worker hold
that much for any form or the webhook. Each route now gets its own cap:

- ordinary forms: ``MAX_FORM_BYTES`` (64 KB), staff forms ``MAX_STAFF_FORM_BYTES`` (1 MB: the
  incident, update and template editors take long texts in any script);
- SendGrid's event webhook: ``MAX_WEBHOOK_BYTES`` (5 MB, far above SendGrid's batches);
- claim proof uploads: ``MAX_PROOF_UPLOAD_BYTES`` and at most ``MAX_PROOF_FORM_PARTS`` parts;
- staff file uploads (register import, activation codes, an audience list): ``MAX_UPLOAD_BYTES``.

A declared Content-Length over the cap is refused at once with the 413 page; a body sent without
one (chunked) is cut off by Werkzeug at the same cap while it is read.
"""

from flask import Flask, abort, current_app, g, request

FORM = "MAX_FORM_BYTES"
STAFF_FORM = "MAX_STAFF_FORM_BYTES"
WEBHOOK = "MAX_WEBHOOK_BYTES"
PROOF_UPLOAD = "MAX_PROOF_UPLOAD_BYTES"
STAFF_UPLOAD = "MAX_UPLOAD_BYTES"
LIMITS = (FORM, STAFF_FORM, WEBHOOK, PROOF_UPLOAD, STAFF_UPLOAD)


def body_limit(config_key: str):
    """Give a view the body cap named by ``config_key`` (put it right under ``@bp.route``)."""
    if config_key not in LIMITS:
        raise ValueError(f"unknown body limit {config_key!r}")

    def mark(view):
        view.body_limit = config_key
        return view

    return mark


def size_words(size: int) -> str:
    """1024-based, as a phone or a file manager shows a file's size: "64 KB", "5 MB"."""
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.0f} MB"
    return f"{max(1, size // 1024)} KB"


def limit_key_for_request() -> str:
    view = current_app.view_functions.get(request.endpoint or "")
    key = getattr(view, "body_limit", None)
    if key:
        return key
    return STAFF_FORM if request.path.startswith("/staff/") else FORM


def enforce_body_limit() -> None:
    key = limit_key_for_request()
    limit = int(current_app.config[key])
    g.body_limit = size_words(limit)
    request.max_content_length = limit
    if key == PROOF_UPLOAD:
        request.max_form_parts = int(current_app.config["MAX_PROOF_FORM_PARTS"])
    if request.content_length is not None and request.content_length > limit:
        abort(413)


def init_app(app: Flask) -> None:
    # First of all before-request hooks: CSRF protection reads the form, which would read the body.
    app.before_request_funcs.setdefault(None, []).insert(0, enforce_body_limit)

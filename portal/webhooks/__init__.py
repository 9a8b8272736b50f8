"""Inbound webhooks from our providers: SendGrid's signed Event Webhook at POST /webhooks/sendgrid."""

from flask import Blueprint

from portal.extensions import csrf

bp = Blueprint("webhooks", __name__, url_prefix="/webhooks")
# SendGrid cannot hold a CSRF token; the ECDSA signature is what authenticates these requests.
csrf.exempt(bp)

"""POST /webhooks/sendgrid: signed delivery events. 401 unsigned or stale, 400 malformed, else 200."""

import json
import logging

from flask import current_app, jsonify, request

from portal.extensions import limiter
from portal.web.request_limits import WEBHOOK, body_limit
from portal.webhooks import bp
from portal.webhooks.service import SignatureError, record_delivery_events, verify_sendgrid_signature

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Twilio-Email-Event-Webhook-Signature"
TIMESTAMP_HEADER = "X-Twilio-Email-Event-Webhook-Timestamp"


@bp.route("/sendgrid", methods=["POST"])
@body_limit(WEBHOOK)
@limiter.limit(lambda: current_app.config["SENDGRID_WEBHOOK_RATE_LIMIT"])
def sendgrid_events():
    """Verify SendGrid's signature over the raw body, then record each event once."""
    # The exact bytes SendGrid signed: never a re-serialised parse of them.
    raw = request.get_data(as_text=True)
    try:
        verify_sendgrid_signature(
            raw, request.headers.get(SIGNATURE_HEADER, ""), request.headers.get(TIMESTAMP_HEADER, "")
        )
    except SignatureError as exc:
        log.warning("SendGrid webhook rejected: %s", exc)
        return jsonify(error="signature"), 401
    try:
        events = json.loads(raw)
    except ValueError:
        return jsonify(error="the body is not JSON"), 400
    if not isinstance(events, list):
        return jsonify(error="the body must be a JSON array of events"), 400
    summary = record_delivery_events(events)
    return jsonify(summary), 200

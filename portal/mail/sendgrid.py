"""The ``sendgrid`` backend: one v3 mail-send request per chunk of notices.

Each recipient is one personalization with its own ``substitutions`` (a plain and an HTML-escaped
value per personal placeholder) and ``custom_args.notification_id`` (a string: the real API
rejects numbers), which is how the Event Webhook finds the notification again. Nothing personal
goes into ``custom_args`` or ``categories``: SendGrid shows both in its activity feed and exports.
"""

import json
import logging
import urllib.error
from datetime import UTC, datetime, timedelta
from http.client import HTTPException

from python_http_client import exceptions as http_exceptions
from sendgrid import SendGridAPIClient

from portal.core.time import utcnow
from portal.mail.headers import one_line
from portal.mail.notices import MAX_PERSONALIZATIONS, NoticeRequest, Outcome, SendResult
from portal.mail.rendering import email_html_document

log = logging.getLogger(__name__)
# python_http_client logs whole request bodies (names, emails, notice codes) at DEBUG.
logging.getLogger("python_http_client.client").setLevel(logging.INFO)

DEFAULT_RATE_LIMIT_WAIT = timedelta(seconds=60)
MAX_REASON_LENGTH = 1000


class SendGridBackend:
    name = "sendgrid"
    posts_over_network = True  # the sender may wait for it on another thread (portal/sending/pipeline.py)

    def __init__(self, config):
        self.client = SendGridAPIClient(api_key=config["SENDGRID_API_KEY"], host=config["SENDGRID_HOST"])
        # The client has no default timeout: without one a stuck connection hangs a worker forever.
        self.client.client.timeout = config["SENDGRID_TIMEOUT_SECONDS"]
        self.sender = {"email": config["MAIL_FROM"]}
        if config.get("MAIL_FROM_NAME"):
            self.sender["name"] = config["MAIL_FROM_NAME"]
        self.reply_to = {"email": config["MAIL_REPLY_TO"]} if config.get("MAIL_REPLY_TO") else None

    # -- payloads ---------------------------------------------------------------------------------

    def _envelope(self, subject: str, text: str, html: str) -> dict:
        payload = {
            "from": self.sender,
            "subject": one_line(subject),
            "content": [{"type": "text/plain", "value": text}],
            # A breach notice is a legal duty, so it goes to people who unsubscribed from marketing;
            # bounce and spam-report lists are still honoured (never bypass_list_management).
            "mail_settings": {"bypass_unsubscribe_management": {"enable": True}},
            # Click tracking would rewrite the portal link into a tracking domain, teaching people
            # to trust links that do not show our address: the opposite of the notice's advice.
            "tracking_settings": {
                "click_tracking": {"enable": False, "enable_text": False},
                "open_tracking": {"enable": False},
            },
        }
        if html:
            payload["content"].append({"type": "text/html", "value": html})
        if self.reply_to:
            payload["reply_to"] = self.reply_to
        return payload

    def notice_payload(self, request: NoticeRequest) -> dict:
        if len(request.recipients) > MAX_PERSONALIZATIONS:
            raise ValueError(f"SendGrid takes at most {MAX_PERSONALIZATIONS} personalizations per request")
        skeleton = request.skeleton
        payload = self._envelope(skeleton.subject, skeleton.text, email_html_document(skeleton.html, request.language))
        payload["personalizations"] = [
            {
                "to": [{"email": email, "name": one_line(name)}] if name else [{"email": email}],
                "substitutions": substitutions,
                "custom_args": {"notification_id": str(notification_id)},
            }
            for notification_id, email, name, substitutions in request.recipients
        ]
        return payload

    def message_payload(self, message) -> dict:
        payload = self._envelope(message.subject, message.body_text, message.body_html)
        payload["personalizations"] = [{"to": [{"email": message.to_address}]}]
        return payload

    # -- posting ----------------------------------------------------------------------------------

    def post(self, payload: dict) -> SendResult:
        try:
            response = self.client.client.mail.send.post(request_body=payload)
        except http_exceptions.HTTPError as exc:
            return result_for_http_error(exc.status_code, exc.headers, exc.body)
        except urllib.error.URLError as exc:
            # urllib wraps errors raised while connecting or writing the request: SendGrid never
            # got a whole request, so it cannot have sent anything.
            return SendResult(Outcome.NOT_SENT, reason=f"Could not reach SendGrid ({_describe(exc.reason)})")
        except (OSError, HTTPException) as exc:
            # The request was written and no answer came back (read timeout, connection dropped).
            # SendGrid may have accepted it, and it has no idempotency key: retrying could mail
            # everyone in the chunk twice, so a person decides (docs/architecture.md, "The sending rules").
            return SendResult(Outcome.AMBIGUOUS, reason=f"No answer from SendGrid ({_describe(exc)})")
        message_id = response.headers.get("X-Message-Id", "") if response.headers else ""
        return SendResult(Outcome.ACCEPTED, message_id=message_id or "", status_code=response.status_code)

    def send_notices(self, request: NoticeRequest) -> SendResult:
        return self.post(self.notice_payload(request))

    def send_message(self, message) -> bool:
        result = self.post(self.message_payload(message))
        if result.outcome != Outcome.ACCEPTED:
            log.warning("SendGrid did not take a %s message: %s", message.kind, result.outcome)
        return result.outcome == Outcome.ACCEPTED


def _describe(exc) -> str:
    return type(exc).__name__ if not str(exc) else f"{type(exc).__name__}: {exc}"[:200]


def result_for_http_error(status: int, headers, body) -> SendResult:
    if status == 429:
        return SendResult(
            Outcome.RATE_LIMITED,
            retry_at=rate_limit_reset(headers),
            status_code=status,
            reason="SendGrid rate limit reached (429)",
        )
    if status in (401, 403):
        return SendResult(
            Outcome.UNAUTHORIZED,
            status_code=status,
            reason=f"SendGrid refused our API key ({status}): {sendgrid_errors(body)}",
        )
    if status >= 500:
        return SendResult(Outcome.NOT_SENT, status_code=status, reason=f"SendGrid server error ({status})")
    return SendResult(
        Outcome.REJECTED,
        status_code=status,
        reason=f"SendGrid rejected the request ({status}): {sendgrid_errors(body)}",
    )


def rate_limit_reset(headers, now: datetime | None = None) -> datetime:
    now = now or utcnow()
    try:
        reset = datetime.fromtimestamp(int(headers.get("X-RateLimit-Reset")), UTC)
    except (TypeError, ValueError, OverflowError, OSError, AttributeError):
        return now + DEFAULT_RATE_LIMIT_WAIT
    return max(reset, now + timedelta(seconds=1))


def sendgrid_errors(body) -> str:
    """SendGrid's reasons from ``{"errors": [{"message", "field"}]}``, or the start of the body."""
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else str(body or "")
    try:
        errors = json.loads(text).get("errors") or []
        reasons = [f"{e['field']}: {e['message']}" if e.get("field") else str(e.get("message", "")) for e in errors]
        text = "; ".join(reason for reason in reasons if reason) or text
    except (ValueError, AttributeError, TypeError, KeyError):
        pass
    return text[:MAX_REASON_LENGTH] or "no reason given"

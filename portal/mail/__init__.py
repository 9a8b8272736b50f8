"""Sending mail through the configured backend: ``outbox`` (kept and shown to staff) or ``sendgrid``.

``send_message`` is for one-off mails (a reissued notice code, a batch test). Notices in batches
go through ``portal.sending``, which hands each chunk to the same backend's ``send_notices``.
"""

from dataclasses import dataclass

from flask import current_app

from portal.mail.headers import one_line


@dataclass(frozen=True)
class Message:
    kind: str
    to_address: str
    subject: str
    body_text: str
    body_html: str = ""

    def __post_init__(self):
        object.__setattr__(self, "subject", one_line(self.subject))


class MailConfigurationError(RuntimeError):
    pass


def mail_backend():
    """The backend for the current app, built once (the SendGrid client is reused)."""
    config = current_app.config
    key = (
        config["MAIL_BACKEND"],
        config.get("SENDGRID_HOST"),
        config.get("SENDGRID_API_KEY"),
        config.get("SENDGRID_TIMEOUT_SECONDS"),
        config.get("MAIL_FROM"),
        config.get("MAIL_REPLY_TO"),
    )
    cached = current_app.extensions.get("mail_backend")
    if cached is not None and cached[0] == key:
        return cached[1]
    if config["MAIL_BACKEND"] == "outbox":
        from portal.mail.outbox import OutboxBackend

        backend = OutboxBackend()
    elif config["MAIL_BACKEND"] == "sendgrid":
        from portal.mail.sendgrid import SendGridBackend

        backend = SendGridBackend(config)
    else:
        raise MailConfigurationError(f"MAIL_BACKEND {config['MAIL_BACKEND']!r} is not available")
    current_app.extensions["mail_backend"] = (key, backend)
    return backend


def send_message(message: Message) -> bool:
    """Send (or, with the outbox backend, keep) one message; False if SendGrid did not take it."""
    return mail_backend().send_message(message)

"""Sending one-off messages (a reissued notice code, confirmations) through the configured backend.

Only the ``outbox`` backend exists so far: the message is stored and shown to staff in the
outbox page instead of leaving the building. Batches of notices get their own sender.
"""

from dataclasses import dataclass

from flask import current_app

from portal.dao.mail import dao_store_outbox_message


@dataclass(frozen=True)
class Message:
    kind: str
    to_address: str
    subject: str
    body_text: str
    body_html: str = ""


class MailConfigurationError(RuntimeError):
    pass


def send_message(message: Message) -> None:
    backend = current_app.config["MAIL_BACKEND"]
    if backend == "outbox":
        dao_store_outbox_message(message)
        return
    raise MailConfigurationError(f"MAIL_BACKEND {backend!r} is not available; use 'outbox'")

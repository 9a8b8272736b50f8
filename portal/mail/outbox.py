"""The ``outbox`` backend: mail is kept in the database and shown to staff instead of leaving.

For notices it does what SendGrid would do with the request (apply each personalization's
substitutions), so the outbox shows exactly what a recipient would have read.
"""

import uuid

from portal.constants import MailKind
from portal.core.time import utcnow
from portal.dao.outbox import dao_add_outbox_messages, dao_store_outbox_message
from portal.mail.demo_mailbox import deliver_to_demo_mailbox
from portal.mail.notices import NoticeRequest, Outcome, SendResult
from portal.mail.rendering import apply_substitutions


class OutboxBackend:
    name = "outbox"
    # "Posting" is an INSERT that must commit with the rows' new status, on the same thread.
    posts_over_network = False

    def send_message(self, message) -> bool:
        dao_store_outbox_message(message)
        deliver_to_demo_mailbox(message.to_address, message.subject, message.body_text)
        return True

    def send_notices(self, request: NoticeRequest) -> SendResult:
        """Store one outbox row per recipient in the caller's transaction."""
        skeleton, now = request.skeleton, utcnow()
        rows = [
            {
                "kind": MailKind.NOTICE.value,
                "to_address": recipient.email,
                "subject": apply_substitutions(skeleton.subject, recipient.substitutions),
                "body_text": apply_substitutions(skeleton.text, recipient.substitutions),
                "body_html": apply_substitutions(skeleton.html, recipient.substitutions),
                "notification_id": recipient.notification_id,
                "created_at": now,
            }
            for recipient in request.recipients
        ]
        dao_add_outbox_messages(rows)
        for row in rows:
            deliver_to_demo_mailbox(row["to_address"], row["subject"], row["body_text"])
        return SendResult(Outcome.DELIVERED, message_id=f"outbox-{uuid.uuid4().hex}")

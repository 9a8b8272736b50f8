"""The outbox: mail the portal keeps instead of sending (development, demos, tests)."""

from sqlalchemy import func, insert, select

from portal.extensions import db
from portal.models import (
    OutboxMessage,
)


def dao_store_outbox_message(message) -> OutboxMessage:
    row = OutboxMessage(
        kind=message.kind,
        to_address=message.to_address,
        subject=message.subject,
        body_text=message.body_text,
        body_html=message.body_html,
    )
    db.session.add(row)
    return row


def dao_get_outbox_page(page: int, per_page: int = 50) -> tuple[list[OutboxMessage], int]:
    total = db.session.scalar(select(func.count(OutboxMessage.id))) or 0
    rows = db.session.scalars(
        select(OutboxMessage).order_by(OutboxMessage.id.desc()).offset((page - 1) * per_page).limit(per_page)
    ).all()
    return list(rows), total


def dao_get_outbox_message(message_id: int) -> OutboxMessage | None:
    return db.session.get(OutboxMessage, message_id)


def dao_add_outbox_messages(rows: list[dict]) -> None:
    """One INSERT for a chunk of notices the outbox backend keeps instead of sending."""
    db.session.execute(insert(OutboxMessage), rows)


def dao_outbox_for_address(address: str) -> list[OutboxMessage]:
    if not address:
        return []
    return list(
        db.session.scalars(select(OutboxMessage).where(OutboxMessage.to_address == address).order_by(OutboxMessage.id))
    )

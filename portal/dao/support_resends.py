"""The guard on support sending a person their notice again (table ``support_resend``)."""

from datetime import datetime

from portal.dao.sql import upsert_insert
from portal.extensions import db
from portal.models import SupportResend


def dao_claim_support_resend(person_id: int, channel: str, now: datetime, not_since: datetime) -> bool:
    """Record a resend to the person by ``channel`` unless one was recorded after ``not_since``.

    One conditional upsert: the first of two requests at the same moment inserts (or moves an old
    time forward); the second waits for its row lock, finds the new time, and changes nothing.
    True if this call recorded the resend.
    """
    statement = upsert_insert(SupportResend).values(person_id=person_id, channel=channel, last_at=now)
    statement = statement.on_conflict_do_update(
        index_elements=[SupportResend.person_id, SupportResend.channel],
        set_={"last_at": statement.excluded.last_at},
        where=SupportResend.last_at < not_since,
    ).execution_options(preserve_rowcount=True)
    return db.session.execute(statement).rowcount == 1

"""What a mail backend is handed for one chunk of a batch, and what it answers."""

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import NamedTuple

from portal.mail.rendering import NoticeSkeleton

# SendGrid accepts at most this many personalizations in one request, and does not check it
# for us client-side (TOOLING.md): a bigger request would be rejected whole.
MAX_PERSONALIZATIONS = 1000


class Recipient(NamedTuple):
    """A tuple, not a dataclass: a million of them are built per million notices."""

    notification_id: int
    email: str
    name: str
    substitutions: dict[str, str]


@dataclass(frozen=True)
class NoticeRequest:
    """One request: one content (language + jurisdiction), up to 1,000 recipients."""

    skeleton: NoticeSkeleton
    language: str
    recipients: list[Recipient]

    def __post_init__(self):
        if not 1 <= len(self.recipients) <= MAX_PERSONALIZATIONS:
            raise ValueError(f"a request carries 1 to {MAX_PERSONALIZATIONS} recipients, not {len(self.recipients)}")


class Outcome(StrEnum):
    ACCEPTED = "accepted"  # 2xx: SendGrid has them
    DELIVERED = "delivered"  # the outbox backend: kept in the outbox, nothing further will happen
    RATE_LIMITED = "rate_limited"  # 429: not taken; try again at retry_at
    NOT_SENT = "not_sent"  # 5xx, or the request never got through: safe to try again later
    AMBIGUOUS = "ambiguous"  # the request went out but no answer came: it may have been sent
    REJECTED = "rejected"  # 400 and other 4xx: trying again would fail the same way
    UNAUTHORIZED = "unauthorized"  # 401/403: our API key is wrong or lacks permission


@dataclass(frozen=True)
class SendResult:
    outcome: Outcome
    message_id: str = ""
    retry_at: datetime | None = None
    reason: str = ""
    status_code: int | None = None
    extra: dict = field(default_factory=dict)

"""Keyed hashes: blind indexes (look a value up without storing it) and the other keyed digests."""

import hashlib
import hmac
from dataclasses import dataclass

from portal.crypto.keys import decode_key


@dataclass(frozen=True)
class Hasher:
    """Keyed HMAC-SHA256 for blind indexes and notice codes (separate keys for each)."""

    key: bytes

    @classmethod
    def from_config(cls, text: str, name: str) -> "Hasher":
        return cls(decode_key(text, name))

    def digest(self, domain: str, value: str) -> str:
        return hmac.new(self.key, f"{domain}\x00{value}".encode(), hashlib.sha256).hexdigest()


def normalize_email(email: str) -> str:
    return email.strip().casefold()


def email_index_with_key(key: bytes, email: str) -> str:
    """``Hasher(key).digest("email", normalize_email(email))`` in one C call, for bulk imports."""
    return hmac.digest(key, f"email\x00{normalize_email(email)}".encode(), "sha256").hex()

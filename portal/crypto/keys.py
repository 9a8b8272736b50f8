"""Key material from the configuration: one 32-byte key, or a ring of them by key id."""

import base64
import hashlib
import hmac
from dataclasses import dataclass


class KeyConfigurationError(ValueError):
    pass


def decode_key(text: str, name: str) -> bytes:
    try:
        key = base64.urlsafe_b64decode(text.strip() + "=" * (-len(text.strip()) % 4))
    except (ValueError, TypeError) as exc:
        raise KeyConfigurationError(f"{name} is not valid base64") from exc
    if len(key) != 32:
        raise KeyConfigurationError(f"{name} must decode to 32 bytes, got {len(key)}")
    return key


@dataclass(frozen=True)
class KeyRing:
    """HMAC-SHA256 keys by id (``kid:base64,kid:base64``, the first current): what signs the audit chain.

    A row names the key that signed it, so a retired key stays in the ring for as long as the
    rows it signed must verify, and a new one goes first."""

    current_kid: str
    keys: dict[str, bytes]

    @classmethod
    def from_spec(cls, spec: str, name: str) -> "KeyRing":
        keys: dict[str, bytes] = {}
        for entry in (part.strip() for part in (spec or "").split(",") if part.strip()):
            kid, sep, material = entry.partition(":")
            if not sep or not kid.isalnum() or len(kid) > 16:
                raise KeyConfigurationError(f"{name} entries look like 'a1:<base64 of 32 bytes>'")
            keys[kid] = decode_key(material, f"{name}[{kid}]")
        if not keys:
            raise KeyConfigurationError(f"{name} is empty")
        return cls(next(iter(keys)), keys)

    def mac(self, kid: str, payload: str) -> str | None:
        """The HMAC of ``payload`` under key ``kid``; None when the ring does not hold that key."""
        key = self.keys.get(kid)
        return None if key is None else hmac.new(key, payload.encode(), hashlib.sha256).hexdigest()

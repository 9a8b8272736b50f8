"""Field encryption (AES-GCM with a key ring), blind indexes and notice codes.

Ciphertexts are stored as ``<key id>.<base64(nonce || ciphertext)>`` so keys can rotate: new
writes use the current key, reads use whichever key the value names. The associated data binds
each ciphertext to its record and field, so a value copied into another row does not decrypt.
"""

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
NOTICE_CODE_LENGTH = 12  # 60 bits: guessing is hopeless under the verify throttle
# A notice code's stored hash keeps 64 bits of the HMAC: the code has only 60, so nothing is lost,
# and the unique index stays a quarter the size. At a million codes a 64-character key made every
# insert dirty its own index page, which SQLite writes out whole at each commit (docs/sending.md).
NOTICE_CODE_HASH_CHARS = 16
# Crockford decoding: letters people confuse map onto the digits they look like.
_CROCKFORD_ALIASES = str.maketrans({"O": "0", "I": "1", "L": "1"})


class DecryptionError(ValueError):
    """A stored value could not be decrypted (wrong key, tampered, or moved between rows)."""


class KeyConfigurationError(ValueError):
    pass


def _decode_key(text: str, name: str) -> bytes:
    try:
        key = base64.urlsafe_b64decode(text.strip() + "=" * (-len(text.strip()) % 4))
    except (ValueError, TypeError) as exc:
        raise KeyConfigurationError(f"{name} is not valid base64") from exc
    if len(key) != 32:
        raise KeyConfigurationError(f"{name} must decode to 32 bytes, got {len(key)}")
    return key


def parse_key_ring(spec: str) -> tuple[str, dict[str, AESGCM]]:
    """Parse ``kid:base64key,kid:base64key``; the first entry is the current key."""
    ring: dict[str, AESGCM] = {}
    current = ""
    for entry in (part.strip() for part in spec.split(",") if part.strip()):
        kid, sep, material = entry.partition(":")
        if not sep or not kid.isalnum():
            raise KeyConfigurationError("FIELD_ENCRYPTION_KEYS entries look like 'k1:<base64 of 32 bytes>'")
        ring[kid] = AESGCM(_decode_key(material, f"FIELD_ENCRYPTION_KEYS[{kid}]"))
        current = current or kid
    if not ring:
        raise KeyConfigurationError("FIELD_ENCRYPTION_KEYS is empty")
    return current, ring


@dataclass(frozen=True)
class FieldCipher:
    current_kid: str
    ring: dict[str, AESGCM]

    @classmethod
    def from_spec(cls, spec: str) -> "FieldCipher":
        return cls(*parse_key_ring(spec))

    def encrypt(self, plaintext: str, aad: str) -> str:
        nonce = secrets.token_bytes(12)
        sealed = self.ring[self.current_kid].encrypt(nonce, plaintext.encode(), aad.encode())
        return f"{self.current_kid}.{base64.b64encode(nonce + sealed).decode()}"

    def decrypt(self, token: str, aad: str) -> str:
        kid, _, body = token.partition(".")
        aead = self.ring.get(kid)
        if aead is None:
            raise DecryptionError(f"no key with id {kid!r} in the key ring")
        raw = base64.b64decode(body)
        try:
            return aead.decrypt(raw[:12], raw[12:], aad.encode()).decode()
        except InvalidTag as exc:
            raise DecryptionError("ciphertext does not authenticate for this record") from exc

    def needs_rotation(self, token: str) -> bool:
        return not token.startswith(f"{self.current_kid}.")


@dataclass(frozen=True)
class Hasher:
    """Keyed HMAC-SHA256 for blind indexes and notice codes (separate keys for each)."""

    key: bytes

    @classmethod
    def from_config(cls, text: str, name: str) -> "Hasher":
        return cls(_decode_key(text, name))

    def digest(self, domain: str, value: str) -> str:
        return hmac.new(self.key, f"{domain}\x00{value}".encode(), hashlib.sha256).hexdigest()


def normalize_email(email: str) -> str:
    return email.strip().casefold()


def normalize_notice_code(text: str) -> str:
    """Upper-case, drop spaces and dashes, apply Crockford aliases. Empty if it can't be a code."""
    cleaned = "".join(ch for ch in text.upper() if ch not in " -\t").translate(_CROCKFORD_ALIASES)
    if len(cleaned) != NOTICE_CODE_LENGTH or any(ch not in CROCKFORD for ch in cleaned):
        return ""
    return cleaned


def generate_notice_code() -> str:
    raw = "".join(secrets.choice(CROCKFORD) for _ in range(NOTICE_CODE_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, NOTICE_CODE_LENGTH, 4))


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
            keys[kid] = _decode_key(material, f"{name}[{kid}]")
        if not keys:
            raise KeyConfigurationError(f"{name} is empty")
        return cls(next(iter(keys)), keys)

    def mac(self, kid: str, payload: str) -> str | None:
        """The HMAC of ``payload`` under key ``kid``; None when the ring does not hold that key."""
        key = self.keys.get(kid)
        return None if key is None else hmac.new(key, payload.encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class CryptoSuite:
    """The app's keys, built once at start-up and kept in ``app.extensions['crypto']``."""

    cipher: FieldCipher
    blind: Hasher
    codes: Hasher
    audit: KeyRing

    @classmethod
    def from_config(cls, config) -> "CryptoSuite":
        return cls(
            cipher=FieldCipher.from_spec(config["FIELD_ENCRYPTION_KEYS"]),
            blind=Hasher.from_config(config["BLIND_INDEX_KEY"], "BLIND_INDEX_KEY"),
            codes=Hasher.from_config(config["NOTICE_CODE_KEY"], "NOTICE_CODE_KEY"),
            audit=KeyRing.from_spec(config["AUDIT_KEYS"], "AUDIT_KEYS"),
        )

    def email_index(self, email: str) -> str:
        return self.blind.digest("email", normalize_email(email))

    def notice_code_hash(self, normalized_code: str) -> str:
        return self.codes.digest("notice-code", normalized_code)[:NOTICE_CODE_HASH_CHARS]


def crypto() -> CryptoSuite:
    from flask import current_app

    return current_app.extensions["crypto"]

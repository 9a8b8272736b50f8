"""Field encryption: AES-GCM with a key ring.

Ciphertexts are stored as ``<key id>.<base64(nonce || ciphertext)>`` so keys can rotate: new
writes use the current key, reads use whichever key the value names. The associated data binds
each ciphertext to its record and field, so a value copied into another row does not decrypt.
"""

import base64
import secrets
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from portal.crypto.keys import KeyConfigurationError, decode_key

NONCE_BYTES = 12


class DecryptionError(ValueError):
    """A stored value could not be decrypted (wrong key, tampered, or moved between rows)."""


def person_field_aad(uid: str, field: str) -> str:
    """Associated data binding a ciphertext to one person's one field."""
    return f"person:{uid}:{field}"


def parse_key_ring(spec: str) -> tuple[str, dict[str, AESGCM]]:
    """Parse ``kid:base64key,kid:base64key``; the first entry is the current key."""
    ring: dict[str, AESGCM] = {}
    current = ""
    for entry in (part.strip() for part in spec.split(",") if part.strip()):
        kid, sep, material = entry.partition(":")
        if not sep or not kid.isalnum():
            raise KeyConfigurationError("FIELD_ENCRYPTION_KEYS entries look like 'k1:<base64 of 32 bytes>'")
        ring[kid] = AESGCM(decode_key(material, f"FIELD_ENCRYPTION_KEYS[{kid}]"))
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
        nonce = secrets.token_bytes(NONCE_BYTES)
        sealed = self.ring[self.current_kid].encrypt(nonce, plaintext.encode(), aad.encode())
        return f"{self.current_kid}.{base64.b64encode(nonce + sealed).decode()}"

    def decrypt(self, token: str, aad: str) -> str:
        kid, _, body = token.partition(".")
        aead = self.ring.get(kid)
        if aead is None:
            raise DecryptionError(f"no key with id {kid!r} in the key ring")
        raw = base64.b64decode(body)
        try:
            return aead.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], aad.encode()).decode()
        except InvalidTag as exc:
            raise DecryptionError("ciphertext does not authenticate for this record") from exc

    def needs_rotation(self, token: str) -> bool:
        return not token.startswith(f"{self.current_kid}.")

"""Encrypting, indexing and hashing a person's fields in bulk, with the app's keys and formats.

Why not call ``crypto().cipher.encrypt`` and ``crypto().email_index`` per field: for a register of
200,000 people that is a million calls, and their per-call overhead (a system call for each
nonce, Python's HMAC class, the uuid module) was a third of the import's Python time. This does
the same work with fewer calls: one ``os.urandom`` per person for the uid and all four nonces,
and one C call (``hmac.digest``, or a copy of a keyed state) for each keyed hash.

The output is exactly what ``fields``, ``hashing`` and ``notice_codes`` produce and read: tokens
``<kid>.<base64(nonce || ciphertext)>`` under the current key with ``person_field_aad`` as associated data, and hashes
``HMAC-SHA256(key, "<domain>\\x00<value>")`` in hex. tests/crypto/test_bulk.py checks both
against those modules, so a change of format there fails the tests rather than corrupting imports.
"""

import os
from base64 import b64encode

from portal.crypto.fields import NONCE_BYTES, person_field_aad
from portal.crypto.hashing import email_index_with_key
from portal.crypto.notice_codes import NoticeCodeHasher
from portal.crypto.suite import CryptoSuite

_UID_BYTES = 16
_PERSON_RANDOM_BYTES = _UID_BYTES + 4 * NONCE_BYTES
# uuid4: 122 random bits, the version nibble set to 4 and the variant bits to 10 (RFC 9562).
_UUID4_CLEAR = ~((0xF << 76) | (0x3 << 62)) & ((1 << 128) - 1)
_UUID4_SET = (0x4 << 76) | (0x2 << 62)


class PersonSealer:
    """Seals one person's sensitive fields; build one per import (it holds the key objects)."""

    def __init__(self, suite: CryptoSuite) -> None:
        cipher = suite.cipher
        self._prefix = f"{cipher.current_kid}."
        self._seal = cipher.ring[cipher.current_kid].encrypt  # the same AESGCM object FieldCipher uses
        self._blind_key = suite.blind.key
        self.notice_code_hash = NoticeCodeHasher(suite.codes.key)

    def new_uid_and_nonces(self) -> tuple[str, bytes]:
        """A fresh uid (a uuid4 in hex, as ``uuid.uuid4().hex``) and 48 random bytes for four nonces."""
        random = os.urandom(_PERSON_RANDOM_BYTES)
        uid = int.from_bytes(random[:_UID_BYTES], "big") & _UUID4_CLEAR | _UUID4_SET
        return f"{uid:032x}", random[_UID_BYTES:]

    @staticmethod
    def nonces() -> bytes:
        """48 random bytes for four nonces, for a person who keeps their uid."""
        return os.urandom(4 * NONCE_BYTES)

    def seal(self, uid: str, field: str, plaintext: str, nonces: bytes, slot: int) -> str | None:
        """The field's ciphertext token (None for an empty value), using nonce number ``slot`` (0-3)."""
        if not plaintext:
            return None
        nonce = nonces[slot * NONCE_BYTES : (slot + 1) * NONCE_BYTES]
        sealed = self._seal(nonce, plaintext.encode(), person_field_aad(uid, field).encode())
        return self._prefix + b64encode(nonce + sealed).decode()

    def email_index(self, email: str) -> str | None:
        """``crypto().email_index(email)``, or None for no email."""
        if not email:
            return None
        return email_index_with_key(self._blind_key, email)

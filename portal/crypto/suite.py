"""The app's keys, built once at start-up and kept in ``app.extensions['crypto']``."""

from dataclasses import dataclass

from portal.crypto.fields import FieldCipher
from portal.crypto.hashing import Hasher, normalize_email
from portal.crypto.keys import KeyRing


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


def crypto() -> CryptoSuite:
    from flask import current_app

    return current_app.extensions["crypto"]

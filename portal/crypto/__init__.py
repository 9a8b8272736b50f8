"""Field encryption, keyed hashes and notice codes.

``fields`` (AES-GCM with a key ring), ``hashing`` (blind indexes), ``bulk`` (the same, fast, for a
whole register), ``notice_codes`` (the one notice-code module), ``keys`` and ``suite`` (the app's
keys, from the configuration). The names most callers need are re-exported here.
"""

from portal.crypto.fields import DecryptionError, FieldCipher, parse_key_ring, person_field_aad
from portal.crypto.hashing import Hasher, normalize_email
from portal.crypto.keys import KeyConfigurationError, KeyRing
from portal.crypto.suite import CryptoSuite, crypto

__all__ = [
    "CryptoSuite",
    "DecryptionError",
    "FieldCipher",
    "Hasher",
    "KeyConfigurationError",
    "KeyRing",
    "crypto",
    "normalize_email",
    "parse_key_ring",
    "person_field_aad",
]

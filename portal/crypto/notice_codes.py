"""Notice codes: the one place they are generated, normalised and hashed.

A notice code is 60 bits from the operating system's CSPRNG, written as twelve Crockford base32
characters in groups of four ("ABCD-EFGH-JKMN"). Only its keyed hash is stored:
``HMAC-SHA256(NOTICE_CODE_KEY, "notice-code\\x00" + normalised code)``, first 16 hex characters.
Every issuer (import, sending, letters, reissue, demo data) and every checker (verify, the trust
check page, the rate limiter's key) goes through this module; the rows themselves are written by
``portal.dao``.
"""

import base64
import hashlib
import hmac
import secrets

from portal.crypto.suite import crypto

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
NOTICE_CODE_LENGTH = 12  # 60 bits: guessing is hopeless under the verify throttle
# A notice code's stored hash keeps 64 bits of the HMAC: the code has only 60, so nothing is lost,
# and the unique index stays a quarter the size. At a million codes a 64-character key made every
# insert dirty its own index page, which SQLite writes out whole at each commit (docs/sending.md).
NOTICE_CODE_HASH_CHARS = 16
# What someone typed that cannot be a code is still hashed (for the rate limiter's key), cut here.
_MAX_TYPED = 40

# Crockford decoding: letters people confuse map onto the digits they look like.
_CROCKFORD_ALIASES = str.maketrans({"O": "0", "I": "1", "L": "1"})
_BYTES_PER_PAIR = 5 * 2 * NOTICE_CODE_LENGTH // 8  # 15 bytes = 120 bits = two 60-bit codes
_TO_CROCKFORD = bytes.maketrans(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", CROCKFORD.encode())
_DOMAIN = b"notice-code\x00"


def normalize_notice_code(text: str) -> str:
    """Upper-case, drop spaces and dashes, apply Crockford aliases. Empty if it can't be a code."""
    cleaned = "".join(ch for ch in text.upper() if ch not in " -\t").translate(_CROCKFORD_ALIASES)
    if len(cleaned) != NOTICE_CODE_LENGTH or any(ch not in CROCKFORD for ch in cleaned):
        return ""
    return cleaned


def generate_notice_codes(count: int) -> list[tuple[str, str]]:
    """``count`` fresh codes as (printed form "ABCD-EFGH-JKMN", normalized form "ABCDEFGHJKMN").

    One ``token_bytes`` call for them all, encoded by the C base32 codec: 15 random bytes are
    exactly two codes. RFC 4648 base32 maps each 5 bits to one of 32 symbols, as Crockford's does
    in another order."""
    pairs = (count + 1) // 2
    text = base64.b32encode(secrets.token_bytes(_BYTES_PER_PAIR * pairs)).translate(_TO_CROCKFORD).decode()
    n = NOTICE_CODE_LENGTH
    return [
        (f"{text[i : i + 4]}-{text[i + 4 : i + 8]}-{text[i + 8 : i + n]}", text[i : i + n])
        for i in range(0, n * count, n)
    ]


def generate_notice_code() -> str:
    """One fresh code, printed form."""
    return generate_notice_codes(1)[0][0]


class NoticeCodeHasher:
    """The notice-code hash under one key, with the keyed HMAC state set up once.

    HMAC(key, "notice-code\\x00" + code) is HMAC(key) fed the prefix, then the code, so a bulk
    issuer (a sending chunk, an import) copies one prepared state per code instead of keying a new
    HMAC each time."""

    def __init__(self, key: bytes) -> None:
        self._base = hmac.new(key, _DOMAIN, hashlib.sha256)

    def __call__(self, normalized_code: str) -> str:
        state = self._base.copy()
        state.update(normalized_code.encode())
        return state.digest()[: NOTICE_CODE_HASH_CHARS // 2].hex()


def notice_code_hashes(normalized_codes: list[str]) -> list[str]:
    """The stored hash of each normalised code, under the app's NOTICE_CODE_KEY."""
    hasher = NoticeCodeHasher(crypto().codes.key)
    return [hasher(code) for code in normalized_codes]


def notice_code_hash(normalized_code: str) -> str:
    """The stored hash of one normalised code, under the app's NOTICE_CODE_KEY."""
    return NoticeCodeHasher(crypto().codes.key)(normalized_code)


def fresh_notice_code() -> tuple[str, str]:
    """One new code to issue: (printed form for the person, hash for the row)."""
    printed, normalized = generate_notice_codes(1)[0]
    return printed, notice_code_hash(normalized)


def typed_code_hash(text: str) -> str:
    """The hash of what someone typed as a code, to look it up or to key a rate limit by it.

    A well-formed code hashes as its normalised form, so it matches the stored row; anything else
    is hashed as typed (capped), so the limiter's storage never holds what a person typed."""
    return notice_code_hash(normalize_notice_code(text) or text.strip().upper()[:_MAX_TYPED])

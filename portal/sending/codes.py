"""Notice codes for a whole chunk at once.

Same alphabet, length and grouping as ``portal.crypto.generate_notice_code`` (60 bits from the
operating system's CSPRNG, Crockford base32, groups of four), but from one ``token_bytes`` call
per chunk, encoded by the C base32 codec: 15 random bytes are exactly two codes.
"""

import base64
import hashlib
import hmac
import secrets

from portal.crypto import CROCKFORD, NOTICE_CODE_HASH_CHARS, NOTICE_CODE_LENGTH, crypto

_BYTES_PER_PAIR = 5 * 2 * NOTICE_CODE_LENGTH // 8  # 15 bytes = 120 bits = two 60-bit codes
_TO_CROCKFORD = bytes.maketrans(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", CROCKFORD.encode())
_DIGEST_BYTES = NOTICE_CODE_HASH_CHARS // 2


def generate_notice_codes(count: int) -> list[tuple[str, str]]:
    """``count`` fresh codes as (printed form "ABCD-EFGH-JKMN", normalized form "ABCDEFGHJKMN")."""
    pairs = (count + 1) // 2
    # RFC 4648 base32 maps each 5 bits to one of 32 symbols, as Crockford's does in another order.
    text = base64.b32encode(secrets.token_bytes(_BYTES_PER_PAIR * pairs)).translate(_TO_CROCKFORD).decode()
    n = NOTICE_CODE_LENGTH
    return [
        (f"{text[i : i + 4]}-{text[i + 4 : i + 8]}-{text[i + 8 : i + n]}", text[i : i + n])
        for i in range(0, n * count, n)
    ]


def notice_code_hashes(normalized_codes: list[str]) -> list[str]:
    """``crypto().notice_code_hash`` of each code, from one keyed HMAC state copied per code.

    HMAC(key, "notice-code\\x00" + code) is HMAC(key) fed the prefix, then the code, so the keyed
    state is set up once per chunk instead of once per code. tests/sending pins it to the original.
    """
    base = hmac.new(crypto().codes.key, b"notice-code\x00", hashlib.sha256)
    hashes = []
    for code in normalized_codes:
        state = base.copy()
        state.update(code.encode())
        hashes.append(state.digest()[:_DIGEST_BYTES].hex())
    return hashes

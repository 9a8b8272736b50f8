"""Claim references: short, unambiguous for a person reading one out, and not guessable.

10 characters of Crockford base32 (50 bits from ``secrets``), grouped 5-5: "K7QM2-XD9TR". No I, L,
O or U, so nothing is confused on a phone call; typed back, O/I/L are read as 0/1/1.
"""

import secrets

from portal.crypto.notice_codes import CROCKFORD
from portal.dao.claims import dao_claim_reference_exists

REFERENCE_LENGTH = 10
_ALIASES = str.maketrans({"O": "0", "I": "1", "L": "1"})


def generate_reference() -> str:
    raw = "".join(secrets.choice(CROCKFORD) for _ in range(REFERENCE_LENGTH))
    return f"{raw[:5]}-{raw[5:]}"


def new_unique_reference() -> str:
    """A reference no claim has. With 2^50 values a clash is rare; the unique index is the backstop."""
    while True:
        reference = generate_reference()
        if not dao_claim_reference_exists(reference):
            return reference


def normalize_reference(text: str) -> str:
    """What staff or a claimant typed, as stored; empty if it cannot be a reference."""
    cleaned = "".join(ch for ch in (text or "").upper() if ch not in " -\t").translate(_ALIASES)
    if len(cleaned) != REFERENCE_LENGTH or any(ch not in CROCKFORD for ch in cleaned):
        return ""
    return f"{cleaned[:5]}-{cleaned[5:]}"

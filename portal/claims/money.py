"""Amounts as people type them around the world, kept as integer minor units (cents).

"1,250.50", "1.250,50", "1250,5" and "$ 80" all read as expected. Every configured currency is
treated as having two decimal places (what the settlement administrators we know of pay in).
"""

import re
from decimal import Decimal

from flask_babel import format_currency

_KEEP = re.compile(r"[^\d.,]")


class AmountError(ValueError):
    pass


def parse_money(text: str) -> int:
    """Cents from what a person typed; AmountError if it is not a plain positive amount."""
    if "-" in (text or ""):
        raise AmountError(text)
    cleaned = _KEEP.sub("", text or "")
    plain = re.fullmatch(r"(\d+)(?:[.,](\d{1,2}))?", cleaned)
    grouped = re.fullmatch(r"(\d{1,3}([.,])\d{3}(?:\2\d{3})*)(?:([.,])(\d{1,2}))?", cleaned)
    if plain:
        whole, fraction = plain.group(1), plain.group(2) or ""
    elif grouped and grouped.group(3) != grouped.group(2):
        whole, fraction = re.sub(r"\D", "", grouped.group(1)), grouped.group(4) or ""
    else:
        raise AmountError(text)
    return int(whole) * 100 + int(fraction.ljust(2, "0"))


def parse_hours(text: str) -> Decimal:
    """Hours like "3", "3.5" or "3,5" (quarter hours or finer are kept to two decimals)."""
    cleaned = (text or "").strip().replace(",", ".")
    if not re.fullmatch(r"\d{1,4}(\.\d{1,2})?", cleaned):
        raise AmountError(text)
    return Decimal(cleaned)


def format_money(cents: int, currency: str) -> str:
    return format_currency(Decimal(cents) / 100, currency)


def cents_to_text(cents: int) -> str:
    """For putting an amount back into a form field."""
    return f"{Decimal(cents) / 100:.2f}"

"""Payment details: what each method needs, how it is sealed, masked and matched.

Details are one AES-GCM ciphertext of a JSON object, with associated data ``claim:<id>:payment``,
so a ciphertext copied onto another claim does not decrypt. They never go into the draft JSON,
an email or a log. ``payout_account_hash`` is a keyed hash (the blind-index key, its own domain)
of the normalised account, so the same account on two claims can be found without decrypting.
"""

import json
import re
import unicodedata

from flask_babel import lazy_gettext as _l

from portal.constants import PaymentMethod
from portal.crypto import crypto, normalize_email

PAYMENT_METHOD_LABELS = {
    PaymentMethod.BANK_TRANSFER: _l("Bank transfer"),
    PaymentMethod.PAYPAL: _l("PayPal"),
    PaymentMethod.MOBILE_MONEY: _l("Mobile money (for example M-Pesa or GCash)"),
    PaymentMethod.CHECK: _l("Check sent by post"),
}
PAYMENT_METHOD_HINTS = {
    PaymentMethod.BANK_TRANSFER: _l("To a bank account in your name, anywhere in the world."),
    PaymentMethod.PAYPAL: _l("To the PayPal account for an email address you give."),
    PaymentMethod.MOBILE_MONEY: _l("To a mobile money account linked to your phone number."),
    PaymentMethod.CHECK: _l("Posted to the address we have on file for you. It can take several weeks."),
}
# The fields each method asks for, in order; a method with none (check) needs no details page.
PAYMENT_FIELDS = {
    PaymentMethod.BANK_TRANSFER: ("account_holder", "account_number", "bank_name", "swift_bic"),
    PaymentMethod.PAYPAL: ("paypal_email",),
    PaymentMethod.MOBILE_MONEY: ("provider", "phone_number"),
    PaymentMethod.CHECK: (),
}
FIELD_LABELS = {
    "account_holder": _l("Name of the account holder"),
    "account_number": _l("IBAN or account number"),
    "bank_name": _l("Name of the bank"),
    "swift_bic": _l("SWIFT or BIC code (optional)"),
    "paypal_email": _l("PayPal email address"),
    "provider": _l("Mobile money provider"),
    "phone_number": _l("Phone number of the mobile money account"),
}


def payment_aad(claim_id: int) -> str:
    return f"claim:{claim_id}:payment"


def offered_methods(settings) -> list[PaymentMethod]:
    """The incident's configured methods that the portal knows, in the order configured."""
    known = {str(method) for method in PaymentMethod}
    names = [name.strip() for name in (settings.payment_methods or "").split(",")]
    return [PaymentMethod(name) for name in names if name in known]


def seal_details(claim_id: int, details: dict) -> str:
    return crypto().cipher.encrypt(json.dumps(details, sort_keys=True), payment_aad(claim_id))


def open_details(claim_id: int, token: str | None) -> dict:
    if not token:
        return {}
    return json.loads(crypto().cipher.decrypt(token, payment_aad(claim_id)))


# Compiled once: the claimant export masks every claim's details (re.sub's cache look-up was a
# third of the cost of masking).
_ACCOUNT_SEPARATORS = re.compile(r"[\s.\-/]")
_NON_DIGITS = re.compile(r"\D")


def compact_account(text: str) -> str:
    """An IBAN or account number as banks compare them: upper case, no spaces, dots or dashes."""
    return _ACCOUNT_SEPARATORS.sub("", text or "").upper()


def digits_only(text: str) -> str:
    return _NON_DIGITS.sub("", text or "")


def normalized_account(method: str, details: dict) -> str:
    """The part of the details that names the account money goes to; empty for a check."""
    if method == PaymentMethod.BANK_TRANSFER:
        return f"bank:{compact_account(details.get('account_number', ''))}"
    if method == PaymentMethod.PAYPAL:
        return f"paypal:{normalize_email(details.get('paypal_email', ''))}"
    if method == PaymentMethod.MOBILE_MONEY:
        return f"mobile:{digits_only(details.get('phone_number', ''))}"
    return ""


def payout_account_hash(method: str, details: dict) -> str | None:
    account = normalized_account(method, details)
    if not account or account.endswith(":"):
        return None
    return crypto().blind.digest("payout-account", account)


def _last4(text: str) -> str:
    return text[-4:] if len(text) >= 4 else text


def mask_email(email: str) -> str:
    local, _, domain = (email or "").partition("@")
    return f"{local[:1]}•••@{domain}" if domain else "••••"


def mask_details(method: str, details: dict) -> str:
    """ "•••• 4410": enough for the claimant to recognise their account, useless to anyone else."""
    if method == PaymentMethod.BANK_TRANSFER:
        return f"•••• {_last4(compact_account(details.get('account_number', '')))}"
    if method == PaymentMethod.PAYPAL:
        return mask_email(details.get("paypal_email", ""))
    if method == PaymentMethod.MOBILE_MONEY:
        return f"{details.get('provider', '')} •••• {_last4(digits_only(details.get('phone_number', '')))}".strip()
    return ""


def clean_details(method: str, raw: dict) -> dict:
    """Only the method's own fields, trimmed and with invisible characters removed."""
    cleaned = {}
    for name in PAYMENT_FIELDS.get(method, ()):
        value = unicodedata.normalize("NFC", str(raw.get(name) or "")).strip()
        cleaned[name] = re.sub(r"[\u200b-\u200f\u2060\ufeff]", "", value)
    if method == PaymentMethod.BANK_TRANSFER and cleaned.get("swift_bic"):
        cleaned["swift_bic"] = compact_account(cleaned["swift_bic"])
    return cleaned

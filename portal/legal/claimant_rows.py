"""Claimant rows: a keyset page of claims at a time, decrypted, masked and summed, as lists of text.

This is the inner loop of an export (a million rows is a million passes; docs/exports.md has the
figures), so per row it does only what the row needs: three lookups per page rather than per
claim, benefit sums from SQL, decryption straight through the key ring, JSON through the C
scanner, and the sorting of benefit kinds and categories once per distinct combination (there
are a handful) rather than once per row.
"""

import json
from binascii import a2b_base64
from collections.abc import Iterator
from datetime import UTC, datetime

from cryptography.exceptions import InvalidTag

from portal.claims.payment import mask_details, payment_aad
from portal.constants import BenefitKind
from portal.core.csv_safety import neutralise
from portal.crypto import FieldCipher
from portal.dao.claimant_exports import (
    LIST_SEPARATOR,
    ClaimantQuery,
    dao_get_benefit_sums_for_page,
    dao_get_categories_for_page,
    dao_get_claimant_page,
    dao_get_fraud_signals_for_page,
)

PAGE_SIZE = 2000  # claims per keyset page: memory per page, not per export
UNREADABLE = "(unreadable)"
_NO_ADDRESS = ("", "", "", "")
_NO_BENEFITS = ("", "0.00", "0.00", "0.00", "0.00", "no", "0.00")
_MONITORING = BenefitKind.MONITORING.value
_scan_json = json.JSONDecoder().scan_once
_NOT_JSON = object()


def _parse_json(text: str):
    """``json.loads(text)``, or _NOT_JSON. A whole object with nothing around it (what we store) goes
    straight to the C scanner, skipping json.loads' Python wrapper (a third of the cost); anything
    else goes through json.loads, so an odd value is read exactly as before."""
    try:
        value, end = _scan_json(text, 0)
        if end == len(text):
            return value
    except (StopIteration, ValueError):
        pass
    try:
        return json.loads(text)
    except ValueError:
        return _NOT_JSON


def full_payment_details(details: dict) -> str:
    """Every field of the method's details ("account_number: …; bank_name: …"), for the payment run."""
    return "; ".join(
        f"{key}: {details[key]}" for key in sorted(details) if key != "method" and details[key] not in (None, "")
    )


class CellOpener:
    """Decrypts the cells of one export, counting those that will not decrypt instead of failing.

    One unreadable value (written under a key since removed from the ring, damaged, or copied from
    another row) must not stop a court's list: it shows as "(unreadable)" and the manifest says how
    many there were. Tokens are FieldCipher's ``<kid>.<base64(nonce || ciphertext)>`` with its
    associated data; opening them here rather than through ``FieldCipher.decrypt`` saves a third
    of each cell's cost, and tests check the two agree. What it returns are cells: neutralised.
    """

    def __init__(self, cipher: FieldCipher, full_payment_details: bool):
        self._ring = cipher.ring
        self.full = full_payment_details
        self.unreadable = 0

    def _open(self, token: str, aad: str) -> str | None:
        kid, _, body = token.partition(".")
        aead = self._ring.get(kid)
        if aead is not None:
            try:
                sealed = a2b_base64(body)
                return aead.decrypt(sealed[:12], sealed[12:], aad.encode()).decode()
            except (InvalidTag, ValueError):  # tampered, moved, cut short, not base64, not UTF-8
                pass
        self.unreadable += 1
        return None

    def person(self, token: str | None, uid: str, field_name: str) -> str:
        if not token:
            return ""
        text = self._open(token, f"person:{uid}:{field_name}")
        return UNREADABLE if text is None else neutralise(text)

    def address(self, token: str | None, uid: str) -> tuple[str, str, str, str]:
        if not token:
            return _NO_ADDRESS
        text = self._open(token, f"person:{uid}:address")
        if not text:
            return (UNREADABLE if text is None else "", "", "", "")
        parts = _parse_json(text)
        if not isinstance(parts, dict):
            return (neutralise(text), "", "", "")
        return (
            neutralise(parts.get("line1") or ""),
            neutralise(parts.get("line2") or ""),
            neutralise(parts.get("city") or ""),
            neutralise(parts.get("postal_code") or ""),
        )

    def payment(self, token: str | None, claim_id: int, method: str) -> str:
        if not token:
            return ""
        text = self._open(token, payment_aad(claim_id))
        if text is None:
            return UNREADABLE
        details = _parse_json(text)
        if details is _NOT_JSON:
            self.unreadable += 1
            return UNREADABLE
        if not isinstance(details, dict):
            details = {}
        return neutralise(full_payment_details(details) if self.full else mask_details(method, details))


def iso_utc(moment: datetime | str | None) -> str:
    """UTC, ISO 8601 to the second. SQLite hands the stored text ("2026-10-15 12:00:00.000000", always
    UTC: the column type converts before storing); PostgreSQL an aware datetime."""
    if not moment:
        return ""
    if isinstance(moment, str):
        return f"{moment[:10]}T{moment[11:19]}+00:00"
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def _money(cents: int) -> str:
    """Integer cents to "123.45". Exact: n / 100 is within far less than half a cent of the true
    value for any amount below 2**53 cents, so rounding to two places gives it back."""
    return f"{cents / 100:.2f}"


class ClaimantPages:
    """The rows of one claimant export, a page at a time, every cell neutralised: those that come
    from a person or a decryption are checked; reference, slug, status, categories and benefit kinds
    (validated on the way in), amounts, dates and signal kinds are made here and cannot need it."""

    def __init__(self, query: ClaimantQuery, opener: CellOpener):
        self.query = query
        self.opener = opener
        self._kinds: dict[str, tuple[str, str]] = {}
        self._categories: dict[str, str] = {}

    def _sorted_kinds(self, text: str) -> tuple[str, str]:
        """("lost_time; monitoring", "yes"): the kinds claimed, and whether monitoring is one."""
        found = self._kinds.get(text)
        if found is None:
            kinds = sorted(set(text.split(LIST_SEPARATOR)))
            found = ("; ".join(kinds), "yes" if _MONITORING in kinds else "no")
            if len(self._kinds) > 1000:  # a handful of kinds: only odd data gets here; stay bounded
                self._kinds.clear()
            self._kinds[text] = found
        return found

    def _sorted_categories(self, text: str) -> str:
        found = self._categories.get(text)
        if found is None:
            found = "; ".join(sorted(text.split(LIST_SEPARATOR)))
            if len(self._categories) > 1000:
                self._categories.clear()
            self._categories[text] = found
        return found

    def _benefit_cells(self, sums: tuple | None) -> tuple[str, ...]:
        if sums is None:
            return _NO_BENEFITS
        kinds, out_of_pocket, lost, hours, cash, total = sums
        listed, monitoring = self._sorted_kinds(kinds)
        return (listed, _money(out_of_pocket), f"{hours:.2f}", _money(lost), _money(cash), monitoring, _money(total))

    def page(self, after_id: int, limit: int | None, upto_id: int | None = None) -> tuple[list[list[str]], int]:
        """The rows of the claims after ``after_id`` (at most ``limit``, or up to ``upto_id``) and the
        last claim id (``after_id`` when there are none)."""
        claims = dao_get_claimant_page(self.query, after_id, limit, upto_id)
        if not claims:
            return [], after_id
        first_id, last_id = claims[0][0], claims[-1][0]
        benefits = dao_get_benefit_sums_for_page(self.query, first_id, last_id)
        signals = dao_get_fraud_signals_for_page(self.query, first_id, last_id)
        categories = dao_get_categories_for_page(self.query, first_id, last_id)
        opener, benefit_cells, sorted_categories = self.opener, self._benefit_cells, self._sorted_categories
        rows = []
        for (
            claim_id, reference, status, method, payment_enc, submitted_at, decided_at, attested, slug, uid,
            contractor_id, first, last, email, phone_enc, address_enc, country, region, currency,
        ) in claims:  # fmt: skip
            exposed = categories.get(claim_id)
            flagged = signals.get(claim_id)
            rows.append([
                reference, slug, status,
                neutralise(contractor_id), neutralise(first), neutralise(last), neutralise(email),
                opener.person(phone_enc, uid, "phone"), *opener.address(address_enc, uid),
                neutralise(country), neutralise(region), sorted_categories(exposed) if exposed else "",
                *benefit_cells(benefits.get(claim_id)), neutralise(currency), neutralise(method),
                opener.payment(payment_enc, claim_id, method),
                iso_utc(submitted_at), iso_utc(decided_at), neutralise(attested),
                "; ".join(f"{kind}: {detail}" for kind, detail in flagged) if flagged else "",
            ])  # fmt: skip
        return rows, last_id


def claimant_pages(query: ClaimantQuery, opener: CellOpener, page_size: int = PAGE_SIZE) -> Iterator[list[list[str]]]:
    """Every page of rows, in claim id order; ``opener.unreadable`` counts as they go."""
    pages = ClaimantPages(query, opener)
    after_id = 0
    while True:
        rows, after_id = pages.page(after_id, page_size)
        if not rows:
            return
        yield rows

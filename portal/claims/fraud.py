"""Fraud and duplicate signals, computed when a claim is submitted and shown to legal with the reason.

Signals inform; they never decide. Nothing here changes a claim's status. Each signal is one row
per (claim, kind); when a new claim matches older ones, the older claims' signals are recomputed
too, so the first claim of a pair is flagged as well as the second.

Kinds (FraudSignalKind):
- shared_payout_account: the keyed hash of the payout account matches a claim by someone else.
- many_claims_from_ip: CLAIM_IP_THRESHOLD or more claims sent from one IP address within
  CLAIM_IP_WINDOW_MINUTES (a household or an office can do this honestly; a script does it fast).
- near_duplicate_identity: someone else with a claim has the same normalised last name and date
  of birth, or the same normalised postal address (accents, case, punctuation and common street
  words folded: "Rua São João, 12" = "rua sao joao 12").
- reused_proof_file: a proof file with the same SHA-256 is attached to someone else's claim.

The identity keys are keyed hashes (never the values) kept in the submitted claim's ``draft`` JSON
under ``match_keys``, so finding a match needs no decryption of other people's records.
"""

import json
import re
from datetime import timedelta

from flask import current_app

from portal.claims.drafts import load_draft, save_draft
from portal.constants import FraudSignalKind
from portal.core.text import fold
from portal.core.time import utcnow
from portal.crypto import DecryptionError, crypto
from portal.dao.claims import (
    dao_add,
    dao_find_filed_claims_by_payout_hash,
    dao_find_filed_claims_from_ip_since,
    dao_find_filed_claims_sharing_documents,
    dao_find_filed_claims_with_match_key,
    dao_get_fraud_signal,
)
from portal.models import Claim, FraudSignal, Person

MAX_LISTED = 20
# Street words written several ways; folded so "12 Main Street" and "12 main st." match.
ADDRESS_WORDS = {
    "street": "st",
    "str": "st",
    "strasse": "st",
    "avenue": "av",
    "ave": "av",
    "avenida": "av",
    "road": "rd",
    "apartment": "apt",
    "apto": "apt",
    "flat": "apt",
    "unit": "apt",
    "number": "no",
    "numero": "no",
    "nr": "no",
    "drive": "dr",
    "boulevard": "blvd",
    "lane": "ln",
    "rua": "r",
    "calle": "c",
    "floor": "fl",
    "piso": "fl",
}


def fold_address(address: dict, country: str) -> str:
    words = []
    for part in (address.get("line1", ""), address.get("line2", ""), address.get("city", "")):
        for word in re.split(r"[\W_]+", part or ""):
            folded = fold(word)
            if folded:
                words.append(ADDRESS_WORDS.get(folded, folded))
    if not words:
        return ""
    return f"{country.upper()}|{''.join(words)}|{fold(address.get('postal_code', ''))}"


def identity_match_keys(person: Person) -> dict[str, str]:
    """Keyed hashes of the normalised last name + date of birth, and of the normalised address."""
    keys = {}
    blind = crypto().blind
    try:
        birth = person.decrypt_field("date_of_birth")
        address_text = person.decrypt_field("address")
    except DecryptionError:
        return keys
    if birth and fold(person.last_name):
        keys["identity"] = blind.digest("claim-identity", f"{fold(person.last_name)}|{birth}")
    try:
        address = json.loads(address_text) if address_text else {}
    except ValueError:
        address = {}
    folded = fold_address(address if isinstance(address, dict) else {}, person.country or "")
    if folded:
        keys["address"] = blind.digest("claim-address", folded)
    return keys


def _references(claims: list[Claim]) -> str:
    refs = [claim.reference for claim in claims[:MAX_LISTED]]
    more = len(claims) - len(refs)
    return ", ".join(refs) + (f" and {more} more" if more > 0 else "")


def _set_signal(claim: Claim, kind: str, detail: str) -> None:
    signal = dao_get_fraud_signal(claim.id, kind)
    if signal is None:
        dao_add(FraudSignal(claim_id=claim.id, kind=str(kind), detail=detail, created_at=utcnow()))
    else:
        signal.detail = detail


def _shared_payout_detail(claim: Claim) -> tuple[str, list[Claim]]:
    if not claim.payout_account_hash:
        return "", []
    others = dao_find_filed_claims_by_payout_hash(claim.payout_account_hash, claim.person_id)
    if not others:
        return "", []
    return f"Same payout account as {len(others)} other claim(s) by other people: {_references(others)}.", others


def _identity_detail(claim: Claim) -> tuple[str, list[Claim]]:
    keys = load_draft(claim).get("match_keys", {})
    reasons, related = [], {}
    for name, label in (("identity", "last name and date of birth"), ("address", "postal address")):
        if not keys.get(name):
            continue
        others = dao_find_filed_claims_with_match_key(keys[name], claim.person_id)
        if others:
            reasons.append(f"Same {label} as another person's claim: {_references(others)}.")
            related.update({other.id: other for other in others})
    return " ".join(reasons), list(related.values())


def _reused_proof_detail(claim: Claim) -> tuple[str, list[Claim]]:
    shared = dao_find_filed_claims_sharing_documents(claim.id)
    others = [other for other in shared if other.person_id != claim.person_id]
    if not others:
        return "", []
    return f"A proof file identical (same SHA-256) to one on another claim: {_references(others)}.", others


PAIRWISE_CHECKS = {
    FraudSignalKind.SHARED_PAYOUT_ACCOUNT: _shared_payout_detail,
    FraudSignalKind.NEAR_DUPLICATE_IDENTITY: _identity_detail,
    FraudSignalKind.REUSED_PROOF_FILE: _reused_proof_detail,
}


def _check_ip(claim: Claim) -> list[str]:
    if not claim.attestation_ip or claim.submitted_at is None:
        return []
    minutes = current_app.config["CLAIM_IP_WINDOW_MINUTES"]
    group = dao_find_filed_claims_from_ip_since(claim.attestation_ip, claim.submitted_at - timedelta(minutes=minutes))
    if len(group) < current_app.config["CLAIM_IP_THRESHOLD"]:
        return []
    detail = (
        f"{len(group)} claims were sent from the same IP address ({claim.attestation_ip}) within "
        f"{minutes} minutes: {_references(group)}."
    )
    for member in group:
        _set_signal(member, FraudSignalKind.MANY_CLAIMS_FROM_IP, detail)
    return [FraudSignalKind.MANY_CLAIMS_FROM_IP]


def store_match_keys(claim: Claim, person: Person) -> None:
    draft = load_draft(claim)
    draft["match_keys"] = identity_match_keys(person)
    save_draft(claim, draft)


def compute_fraud_signals(claim: Claim) -> list[str]:
    """Flag ``claim`` (just submitted) and the claims it matches; return the kinds found on it."""
    found = []
    for kind, check in PAIRWISE_CHECKS.items():
        detail, related = check(claim)
        if not detail:
            continue
        found.append(str(kind))
        _set_signal(claim, kind, detail)
        for other in related:  # recomputed from the other claim's side, so its reason lists everyone
            other_detail, _ = check(other)
            if other_detail:
                _set_signal(other, kind, other_detail)
    found += [str(kind) for kind in _check_ip(claim)]
    return found

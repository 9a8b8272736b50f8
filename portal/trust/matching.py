"""Is a pasted sender address, link or phone number ours? Exact after normalising, or an imitation.

Normalising: lower case, Unicode NFKC (fullwidth letters become ASCII), punycode labels (``xn--``)
decoded, "Name <address>" reduced to the address, a link reduced to its host (so
``https://portal.example@evil.example`` is evil.example, as a browser reads it), a phone number to
its digits with 00 read as +. Then an exact comparison with the official list.

An imitation is anything not ours that is made to look like ours: a domain whose Unicode skeleton
(each character replaced by the Latin letter it is confusable with) is one of ours, one within
edit distance 2 of ours, a host that carries our domain as a part (``portal.example.evil.example``),
or a phone number one or two digits off ours.
"""

import contextlib
import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import urlsplit

import idna
from confusable_homoglyphs import confusables
from rapidfuzz.distance import Levenshtein

from portal.trust.constants import LOOKALIKE_DISTANCE, SenderKind, Verdict
from portal.trust.organisation import OrganisationDetails

_PHONE = re.compile(r"^\+?[\d\s().\-/]{6,30}$")
_ANGLE = re.compile(r"<([^<>]+)>")
_SCHEME = re.compile(r"^[a-z][a-z0-9+.\-]*://", re.IGNORECASE)


@dataclass(frozen=True)
class SenderCheck:
    kind: SenderKind
    verdict: Verdict
    normalised: str  # what was compared: an address, a host or digits
    resembles: str = ""  # for an imitation: which of ours it imitates


def decode_host(host: str) -> str:
    """Lower-cased, NFKC, with punycode labels shown as the Unicode they stand for."""
    host = unicodedata.normalize("NFKC", host).strip().strip(".").lower()
    labels = []
    for label in host.split("."):
        if label.startswith("xn--"):
            try:
                label = idna.decode(label)
            except idna.IDNAError:
                # IDNA refuses some labels a registrar still sells; the raw punycode still shows the disguise.
                with contextlib.suppress(UnicodeError):
                    label = label[4:].encode("ascii").decode("punycode")
        labels.append(label)
    return ".".join(labels)


def skeleton(text: str) -> str:
    """Each character that is confusable with a Latin one replaced by it: "p\u0430ypal" (a Cyrillic a) -> "paypal"."""
    out = []
    for char in text:
        if char.isascii():
            out.append(char.lower())
            continue
        found = confusables.is_confusable(char, greedy=False, preferred_aliases=["latin", "common"])
        latin = [h["c"] for h in (found[0]["homoglyphs"] if found else []) if h["c"].isascii()]
        out.append(latin[0].lower() if latin else char)
    return "".join(out)


def phone_digits(text: str) -> str:
    digits = re.sub(r"\D", "", text)
    stripped = text.strip()
    if stripped.startswith("+"):
        return "+" + digits
    if digits.startswith("00"):
        return "+" + digits[2:]
    return digits


def classify(text: str) -> SenderKind:
    text = text.strip()
    if _PHONE.match(text) and sum(c.isdigit() for c in text) >= 6:
        return SenderKind.PHONE
    if "@" in text and not _SCHEME.match(text) and " " not in _address_part(text):
        return SenderKind.EMAIL
    if _SCHEME.match(text) or "." in text:
        return SenderKind.LINK
    return SenderKind.OTHER


def _address_part(text: str) -> str:
    found = _ANGLE.search(text)
    return (found.group(1) if found else text).strip().strip('"').lower()


def _host_of_link(text: str) -> str:
    text = text.strip()
    if not _SCHEME.match(text):
        text = "http://" + text
    try:
        host = urlsplit(text).hostname or ""
    except ValueError:
        host = ""
    return decode_host(host)


def domain_verdict(host: str, official: tuple[str, ...]) -> tuple[Verdict, str]:
    if not host:
        return Verdict.UNKNOWN, ""
    if host in official:
        return Verdict.OFFICIAL, host
    shape = skeleton(host)
    for domain in official:
        if shape == skeleton(domain):
            return Verdict.IMITATION, domain
        if Levenshtein.distance(host, domain) <= LOOKALIKE_DISTANCE:
            return Verdict.IMITATION, domain
        if Levenshtein.distance(shape, skeleton(domain)) <= LOOKALIKE_DISTANCE:
            return Verdict.IMITATION, domain
        # Ours as a part of someone else's host: "portal.example.evil.example", "portal-example.evil".
        if domain in host or domain.replace(".", "-") in host:
            return Verdict.IMITATION, domain
    return Verdict.UNKNOWN, ""


def check_sender(text: str, organisation: OrganisationDetails) -> SenderCheck:
    kind = classify(text)
    official_domains = organisation.official_domains
    if kind == SenderKind.PHONE:
        digits = phone_digits(text)
        ours = {phone_digits(p): p for p in organisation.phones}
        if digits in ours:
            return SenderCheck(kind, Verdict.OFFICIAL, digits, ours[digits])
        for our_digits, shown in ours.items():
            if Levenshtein.distance(digits.lstrip("+"), our_digits.lstrip("+")) <= LOOKALIKE_DISTANCE:
                return SenderCheck(kind, Verdict.IMITATION, digits, shown)
        return SenderCheck(kind, Verdict.UNKNOWN, digits)
    if kind == SenderKind.EMAIL:
        address = _address_part(text)
        local, _, host = address.rpartition("@")
        host = decode_host(host)
        address = f"{unicodedata.normalize('NFKC', local)}@{host}"
        if address in organisation.sender_addresses:
            return SenderCheck(kind, Verdict.OFFICIAL, address, address)
        verdict, resembles = domain_verdict(host, official_domains)
        if verdict == Verdict.OFFICIAL:
            # Our domain, but an address we do not send from: not ours, though not a look-alike either.
            return SenderCheck(kind, Verdict.UNKNOWN, address)
        return SenderCheck(kind, verdict, address, resembles)
    if kind == SenderKind.LINK:
        host = _host_of_link(text)
        verdict, resembles = domain_verdict(host, official_domains)
        if verdict == Verdict.UNKNOWN:
            # Ours elsewhere in someone else's link: "https://portal.example@evil.example", ".../portal.example/".
            raw = unicodedata.normalize("NFKC", text).lower()
            resembles = next((domain for domain in official_domains if domain in raw), "")
            verdict = Verdict.IMITATION if resembles else verdict
        return SenderCheck(kind, verdict, host, resembles)
    return SenderCheck(kind, Verdict.UNKNOWN, text.strip()[:100])


def group_key(text: str) -> tuple[SenderKind, str]:
    """What reports of this sender are grouped under: a domain, a phone number's digits, or the text."""
    kind = classify(text)
    if kind == SenderKind.PHONE:
        return kind, phone_digits(text)
    if kind == SenderKind.EMAIL:
        return kind, decode_host(_address_part(text).rpartition("@")[2])
    if kind == SenderKind.LINK:
        return kind, _host_of_link(text)
    return kind, unicodedata.normalize("NFKC", text).strip().lower()[:300]

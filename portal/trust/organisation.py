"""Who we are: the organisation row an admin edits, read with configuration's defaults around it.

Everything official a contractor can check comes from here: the legal name, the portal's address
(PUBLIC_URL, configuration), the sender addresses and domains, and the help-desk phones per country.
The addresses MAIL_FROM and MAIL_REPLY_TO the portal really sends from are always on the list, so
the check page can never call our own mail an imitation.
"""

from dataclasses import dataclass, field, replace
from urllib.parse import urlsplit

from flask import current_app, g
from sqlalchemy.exc import SQLAlchemyError

from portal.dao.organisation import dao_get_organisation
from portal.extensions import db
from portal.models import Organisation

ORGANISATION_ID = 1
_G_KEY = "trust_organisation"
# Fields an admin edits, in the order of the form and of the audit's "changed" list.
EDITABLE_FIELDS = (
    "legal_name",
    "sender_addresses",
    "sender_domains",
    "phone_lines",
    "postal_address",
    "claims_administrator",
)


@dataclass(frozen=True)
class HelpLine:
    country: str  # ISO 3166 alpha-2, or "" for everyone else
    phone: str
    hours: str


@dataclass(frozen=True)
class LogoInfo:
    """What a page needs to show the logo: its size (no layout shift) and a version for the URL."""

    width: int
    height: int
    version: int


@dataclass(frozen=True)
class OrganisationDetails:
    legal_name: str
    portal_url: str
    sender_addresses: tuple[str, ...]
    sender_domains: tuple[str, ...]
    help_lines: tuple[HelpLine, ...]
    postal_address: str
    claims_administrator: str
    logo: LogoInfo | None = None
    phones: tuple[str, ...] = field(init=False)

    def __post_init__(self):
        object.__setattr__(self, "phones", tuple(dict.fromkeys(line.phone for line in self.help_lines)))

    @property
    def portal_host(self) -> str:
        return (urlsplit(self.portal_url).hostname or "").lower()

    @property
    def official_domains(self) -> tuple[str, ...]:
        """Every domain we send from or serve on: the listed ones, the portal's, the senders'."""
        domains = [*self.sender_domains, self.portal_host]
        domains += [address.rsplit("@", 1)[-1] for address in self.sender_addresses]
        return tuple(dict.fromkeys(d for d in domains if d))

    def help_lines_for(self, country: str | None) -> list[HelpLine]:
        """The lines for this country; otherwise the general ones (no country); otherwise all."""
        country = (country or "").upper()
        own = [line for line in self.help_lines if line.country and line.country == country]
        general = [line for line in self.help_lines if not line.country]
        return own or general or list(self.help_lines)


def split_lines(text: str) -> tuple[str, ...]:
    """One entry a line (commas also separate entries in environment variables), blanks dropped."""
    parts = (part.strip() for part in (text or "").replace(",", "\n").splitlines())
    return tuple(dict.fromkeys(p for p in parts if p))


def parse_help_lines(text: str) -> tuple[HelpLine, ...]:
    """``country | number | hours`` a line; ``| number | hours`` (no country) is for everyone else."""
    lines = []
    for raw in (text or "").replace(";", "\n").splitlines():
        if not raw.strip():
            continue
        parts = [part.strip() for part in raw.split("|")]
        if len(parts) == 1:
            parts = ["", parts[0], ""]
        country, phone, hours = [*parts, "", ""][:3]
        if phone:
            lines.append(HelpLine(country.upper(), phone, hours))
    return tuple(lines)


def help_line_problems(text: str) -> list[str]:
    """Lines an admin typed that cannot be read, numbered from 1."""
    problems = []
    for number, raw in enumerate((text or "").splitlines(), start=1):
        if not raw.strip():
            continue
        parts = [part.strip() for part in raw.split("|")]
        bad_shape = len(parts) > 3 or (len(parts) > 1 and not parts[1])
        bad_country = len(parts) > 1 and parts[0] and not (len(parts[0]) == 2 and parts[0].isalpha())
        if bad_shape or bad_country:
            problems.append(str(number))
    return problems


def values_from_config() -> dict[str, str]:
    config = current_app.config
    return {
        "legal_name": config.get("ORGANISATION_LEGAL_NAME", ""),
        "sender_addresses": config.get("ORGANISATION_SENDER_ADDRESSES", ""),
        "sender_domains": config.get("ORGANISATION_SENDER_DOMAINS", ""),
        "phone_lines": config.get("ORGANISATION_PHONES", ""),
        "postal_address": config.get("ORGANISATION_POSTAL_ADDRESS", "").replace("\\n", "\n"),
        "claims_administrator": config.get("ORGANISATION_CLAIMS_ADMINISTRATOR", ""),
    }


def details_from_values(values: dict[str, str]) -> OrganisationDetails:
    config = current_app.config
    addresses = list(split_lines(values.get("sender_addresses", "")))
    addresses += [a for a in (config.get("MAIL_FROM", ""), config.get("MAIL_REPLY_TO", "")) if a]
    return OrganisationDetails(
        legal_name=values.get("legal_name", "") or "",
        portal_url=config["PUBLIC_URL"].rstrip("/"),
        sender_addresses=tuple(dict.fromkeys(a.lower() for a in addresses)),
        sender_domains=tuple(d.lower().lstrip("@") for d in split_lines(values.get("sender_domains", ""))),
        help_lines=parse_help_lines(values.get("phone_lines", "")),
        postal_address=(values.get("postal_address", "") or "").strip(),
        claims_administrator=values.get("claims_administrator", "") or "",
    )


def stored_organisation() -> Organisation | None:
    return dao_get_organisation(ORGANISATION_ID)


def current_organisation() -> OrganisationDetails:
    """The stored row if there is one, else configuration's values; once per request."""
    cached = g.get(_G_KEY)
    if cached is not None:
        return cached
    row = stored_organisation()
    values = {name: getattr(row, name) for name in EDITABLE_FIELDS} if row else values_from_config()
    details = details_from_values(values)
    if row is not None and row.logo_type:
        logo = LogoInfo(row.logo_width, row.logo_height, int(row.updated_at.timestamp()))
        details = replace(details, logo=logo)
    g.setdefault(_G_KEY, details)
    return details


def organisation_for_page() -> OrganisationDetails:
    """For the footer of every page, error pages included: a database that is down (the 500 page)
    still gets configuration's details rather than a second error."""
    try:
        return current_organisation()
    except SQLAlchemyError:
        db.session.rollback()
        return details_from_values(values_from_config())


def forget_cached_organisation() -> None:
    g.pop(_G_KEY, None)


TRUST_PAGE_PATH = "/is-this-from-us"


def organisation_values() -> dict[str, str]:
    """The notice placeholders of who we are (portal/mail/rendering.py), plain text."""
    org = current_organisation()
    phones = []
    for line in org.help_lines:
        where = f" ({line.country})" if line.country else ""
        phones.append(f"{line.phone}{where}{', ' + line.hours if line.hours else ''}")
    return {
        "organisation_name": org.legal_name,
        "official_senders": ", ".join(org.sender_addresses),
        "help_desk_phones": "; ".join(phones),
        "letters_from": ", ".join(part.strip() for part in org.postal_address.splitlines() if part.strip()),
        "claims_administrator": org.claims_administrator,
        "verify_message_url": org.portal_url + TRUST_PAGE_PATH,
    }

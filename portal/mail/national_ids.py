"""What a person's national identity or tax number is called where they live, as a notice names it.

The notice's "we will never ask you for your full ((national_id_name))" must speak of a Social
Security number only to people in the US; a contractor in India knows their number as a PAN, in
Kenya as a KRA PIN. Acronyms stay as the authorities write them; the words around them are
translated. Countries not listed get the general wording.
"""

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

GENERAL = _l("national identity or tax number")
NAMES = {
    "BR": _l("CPF number"),
    "CA": _l("Social Insurance Number (SIN)"),
    "DE": _l("tax identification number (Steuer-ID)"),
    "FR": _l("social security number (NIR)"),
    "GB": _l("National Insurance number"),
    "IN": _l("PAN or Aadhaar number"),
    "KE": _l("KRA PIN or national ID number"),
    "MX": _l("CURP or RFC"),
    "NG": _l("NIN or BVN"),
    "PH": _l("TIN or PhilSys number"),
    "US": _l("Social Security number or ITIN"),
}


def national_id_name(country: str | None) -> str:
    """In the current locale."""
    return str(NAMES.get((country or "").upper(), GENERAL))


def national_id_names(language: str) -> tuple[dict[str, str], str]:
    """Every listed country's wording in ``language``, and the general one: for a chunk's recipients,
    looked up once where the translations are (a posting process has none)."""
    with force_locale(language or "en"):
        return {country: str(name) for country, name in NAMES.items()}, str(GENERAL)

"""Trust: "Is this message from us?", reports of suspicious messages, who we are, letters on request."""

from flask import Blueprint

bp = Blueprint("trust", __name__)


@bp.app_context_processor
def organisation_context():
    """Every page's footer names who runs the portal and links the check page."""
    from portal.trust.contact import contact_history, contact_to_check
    from portal.trust.organisation import organisation_for_page

    return {
        "organisation": organisation_for_page,
        "country_name": country_name,
        "contact_history": contact_history,  # the staff person page
        "contact_to_check": contact_to_check,  # the contractor's own page
    }


def country_name(code: str) -> str:
    """A country's name in the page's language (Babel's CLDR data), or the code if it has none."""
    from flask_babel import get_locale

    locale = get_locale()
    return (locale.territories.get(code.upper()) if locale else None) or code

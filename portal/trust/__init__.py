"""Trust: "Is this message from us?", reports of suspicious messages, who we are, letters on request."""

from flask import Blueprint

from portal.core.i18n import country_name

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

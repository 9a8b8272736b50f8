"""Every page's footer names who runs the portal and links the check page; the person pages show
contact history. Loaded by the factory with the views, so importing a trust module never loads it."""

from portal.core.i18n import country_name
from portal.trust import bp
from portal.trust.contact import contact_history, contact_to_check
from portal.trust.organisation import organisation_for_page


@bp.app_context_processor
def organisation_context():
    return {
        "organisation": organisation_for_page,
        "country_name": country_name,
        "contact_history": contact_history,  # the staff person page
        "contact_to_check": contact_to_check,  # the contractor's own page
    }

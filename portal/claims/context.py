"""The claim links' template helper, for pages with no claim state at hand (claims/_exposure_actions.html)."""

from portal.claims import bp
from portal.claims.state import claim_state_for


@bp.app_context_processor
def claim_helpers():
    return {"claim_state_for": claim_state_for}

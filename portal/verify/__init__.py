from flask import Blueprint, has_request_context

bp = Blueprint("verify", __name__)


@bp.app_context_processor
def contractor_header():
    """base.html offers Sign out on every page while a contractor is signed in (shared phones)."""
    from portal.verify.session import contractor_signed_in

    return {"contractor_signed_in": has_request_context() and contractor_signed_in()}

from flask import Blueprint

bp = Blueprint("staff", __name__, url_prefix="/staff")

from portal.staff import account_routes, audit_routes, auth, resend_routes, routes  # noqa: E402, F401

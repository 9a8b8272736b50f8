"""Claims, staff side: legal's review queue and decisions; the incident team's claim settings."""

from flask import Blueprint

bp = Blueprint("review", __name__, url_prefix="/staff/claims")

from portal.review import routes, settings_routes  # noqa: E402, F401

from flask import Blueprint

bp = Blueprint("incidents", __name__, url_prefix="/staff/incidents")

from portal.incidents import routes  # noqa: E402, F401

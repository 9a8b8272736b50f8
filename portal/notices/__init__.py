from flask import Blueprint

bp = Blueprint("notices", __name__, url_prefix="/staff/templates")

from portal.notices import routes  # noqa: E402, F401

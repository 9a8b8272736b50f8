from flask import Blueprint

bp = Blueprint("imports", __name__, url_prefix="/staff/import")

from portal.imports import routes  # noqa: E402, F401

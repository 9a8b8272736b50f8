from flask import Blueprint

bp = Blueprint("privacy", __name__)

from portal.privacy import request_routes, routes  # noqa: E402, F401

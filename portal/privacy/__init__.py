from flask import Blueprint

bp = Blueprint("privacy", __name__)

from portal.privacy import request_routes, retention_routes, routes  # noqa: E402, F401

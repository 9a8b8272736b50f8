"""Claims, contractor side: filing in steps, proof uploads, status, appeals and answers to legal."""

from flask import Blueprint

bp = Blueprint("claims", __name__, url_prefix="/my/claims")

from portal.claims import context, routes, status_routes  # noqa: E402, F401

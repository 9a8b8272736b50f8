"""The legal workspace, under /staff/legal (docs/legal.md)."""

from flask import Blueprint

bp = Blueprint("legal", __name__, url_prefix="/staff/legal")

from portal.legal import routes  # noqa: E402, F401

"""The contractor's request to be excluded from the settlement, under /my/exclusion (docs/legal.md)."""

from flask import Blueprint

bp = Blueprint("exclusion", __name__)

from portal.exclusion import routes  # noqa: E402, F401

"""The contractor's request to be excluded from the settlement, under /my/exclusion (docs/legal.md)."""

from flask import Blueprint

bp = Blueprint("optout", __name__)

from portal.optout import routes  # noqa: E402, F401

"""The contractor's request to be excluded from the settlement, under /my/exclusion (docs/legal.md)."""

from flask import Blueprint

bp = Blueprint("exclusion", __name__)

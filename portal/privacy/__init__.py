from flask import Blueprint

bp = Blueprint("privacy", __name__)

from portal.privacy import routes  # noqa: E402, F401

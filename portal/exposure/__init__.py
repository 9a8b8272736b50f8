from flask import Blueprint

bp = Blueprint("exposure", __name__)

from portal.exposure import routes  # noqa: E402, F401

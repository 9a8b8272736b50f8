from flask import Blueprint

bp = Blueprint("outbox", __name__, url_prefix="/staff/outbox")

from portal.outbox import routes  # noqa: E402, F401

from flask import Blueprint

bp = Blueprint("batches", __name__, url_prefix="/staff/batches")

from portal.batches import routes, routes_delivery  # noqa: E402, F401

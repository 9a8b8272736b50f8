from flask import Blueprint

bp = Blueprint("staff", __name__, url_prefix="/staff")

from portal.staff import auth  # noqa: E402, F401  (the login manager's user loader)

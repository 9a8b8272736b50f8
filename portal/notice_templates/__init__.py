from flask import Blueprint

bp = Blueprint("notice_templates", __name__, url_prefix="/staff/templates")

from portal.notice_templates import routes  # noqa: E402, F401

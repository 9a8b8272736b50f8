from flask import Blueprint

bp = Blueprint("notice_templates", __name__, url_prefix="/staff/templates")

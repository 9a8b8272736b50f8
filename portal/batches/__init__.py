from flask import Blueprint

bp = Blueprint("batches", __name__, url_prefix="/staff/batches")

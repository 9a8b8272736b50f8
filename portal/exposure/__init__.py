from flask import Blueprint

bp = Blueprint("exposure", __name__)

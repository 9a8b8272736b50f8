"""Trust: "Is this message from us?", reports of suspicious messages, who we are, letters on request."""

from flask import Blueprint

bp = Blueprint("trust", __name__)

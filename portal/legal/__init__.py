"""The legal workspace, under /staff/legal (docs/legal.md).

The app factory loads the views (``portal.legal.routes``); this package does not, so that the
claimant-export workers, which import its row-building modules, start without the web layer.
"""

from flask import Blueprint

bp = Blueprint("legal", __name__, url_prefix="/staff/legal")

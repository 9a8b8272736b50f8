"""Claims, contractor side: filing in steps, proof uploads, status, appeals and answers to legal.

The app factory loads the views (``context``, ``routes``, ``status_routes``); this package does
not, so that the claimant-export workers, which import ``portal.claims.payment``, start without
the web layer.
"""

from flask import Blueprint

bp = Blueprint("claims", __name__, url_prefix="/my/claims")

"""Claims: the contractor files in steps, uploads proof, follows the status, appeals and answers
legal (``/my/claims``, ``bp``); legal reviews and decides, the incident team sets each incident's
claim rules (``/staff/claims``, ``staff_bp``).

The app factory loads the views (``context`` and the ``routes`` package); this package does not,
so that the claimant-export workers, which import ``portal.claims.payment``, start without the
web layer.
"""

from flask import Blueprint

bp = Blueprint("claims", __name__, url_prefix="/my/claims")
staff_bp = Blueprint("claims_staff", __name__, url_prefix="/staff/claims")

"""Identity monitoring: products per incident, activation-code pools, enrollment and the waiting list.

Contractor pages live under /my/monitoring, the incident team's under /staff/monitoring.
"""

from flask import Blueprint

bp = Blueprint("monitoring", __name__)

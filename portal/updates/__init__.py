"""Updates about an incident: subscribing, one-click unsubscribe, alerts when a person's record
grows, and the incident team's posted updates (public page and email).

This package must not import portal.exposure or portal.monitoring: they import it.
"""

from flask import Blueprint

bp = Blueprint("updates", __name__)

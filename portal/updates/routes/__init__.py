"""The update views: ``contractor`` (subscribing, unsubscribing, the public page), ``staff`` on ``/staff/updates``."""

from portal.updates.routes import contractor, staff  # noqa: F401

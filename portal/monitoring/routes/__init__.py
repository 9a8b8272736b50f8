"""The monitoring views: ``contractor`` on ``/my/monitoring``, ``staff`` on ``/staff/monitoring``."""

from portal.monitoring.routes import contractor, staff  # noqa: F401

"""The claim views: ``contractor*`` on ``/my/claims``, ``staff*`` on ``/staff/claims``."""

from portal.claims.routes import contractor, contractor_status, staff, staff_settings  # noqa: F401

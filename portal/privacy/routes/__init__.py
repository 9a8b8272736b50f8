"""The privacy views: the contractor's record, data-protection requests (the form and legal's queue), retention."""

from portal.privacy.routes import contractor, requests, staff_retention  # noqa: F401

"""The trust views: ``contractor*`` are public or the contractor's own pages, ``staff*`` under ``/staff``."""

from portal.trust.routes import contractor, contractor_contact, contractor_post, staff, staff_letters, staff_vendor  # noqa: F401

"""The staff area's views: sign-in, the home page and people (``home``), accounts, the audit log, resending."""

from portal.staff.routes import accounts, audit, home, resend  # noqa: F401

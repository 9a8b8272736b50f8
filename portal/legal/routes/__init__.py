"""The legal workspace views, all staff: exports, exclusions, declaration, regulator report and its filings."""

from portal.legal.routes import filings, workspace  # noqa: F401

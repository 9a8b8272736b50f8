"""Demo data."""
from portal.cli import portal_cli  # noqa: F401

"""CLI commands: filled in by the feature owner."""
from portal.cli import portal_cli  # noqa: F401

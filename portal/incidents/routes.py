"""Routes: filled in by the feature owner."""
from portal.incidents import bp  # noqa: F401

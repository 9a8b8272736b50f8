"""Routes: filled in by the feature owner."""
from portal.staff import bp  # noqa: F401

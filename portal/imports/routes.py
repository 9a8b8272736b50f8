"""Routes: filled in by the feature owner."""
from portal.imports import bp  # noqa: F401

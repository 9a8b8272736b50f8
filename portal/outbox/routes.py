"""Routes: filled in by the feature owner."""
from portal.outbox import bp  # noqa: F401

"""The portal's clock: every timestamp is timezone-aware UTC, every deadline a UTC date."""

from datetime import UTC, date, datetime


def utcnow() -> datetime:
    return datetime.now(UTC)


def utctoday() -> date:
    """Today's date in UTC: the day every deadline and filing date is counted in."""
    return utcnow().date()

from datetime import UTC, timedelta

from portal.core.time import utcnow, utctoday


def test_utcnow_is_timezone_aware_utc():
    now = utcnow()
    assert now.tzinfo is not None
    assert now.utcoffset() == timedelta(0)
    assert now.tzinfo is UTC


def test_utctoday_is_the_utc_date_of_now():
    before = utcnow().date()
    today = utctoday()
    assert today in {before, utcnow().date()}

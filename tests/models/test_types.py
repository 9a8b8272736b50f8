"""Timestamps read from the database are in UTC, whatever zone the session answered in."""

from datetime import UTC, datetime, timedelta, timezone

from portal.models._types import UTCDateTime

KIRITIMATI = timezone(timedelta(hours=14))


def test_a_time_read_in_another_zone_comes_back_as_the_same_instant_in_utc():
    read = datetime(2026, 10, 6, 13, 30, tzinfo=KIRITIMATI)  # 2026-10-05 23:30 UTC
    value = UTCDateTime().process_result_value(read, None)
    assert value == read and value.tzinfo is UTC
    assert value.isoformat() == "2026-10-05T23:30:00+00:00" and value.date().isoformat() == "2026-10-05"


def test_a_time_sqlite_gives_without_a_zone_is_utc():
    assert UTCDateTime().process_result_value(datetime(2026, 10, 5, 23, 30), None).tzinfo is UTC

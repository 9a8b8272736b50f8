"""The answer-by date of a data request, from the person's jurisdiction in the rules file."""

from datetime import date

import pytest

from portal.privacy.deadlines import add_months, response_deadline, response_periods


@pytest.mark.parametrize(
    ("country", "region", "received", "due", "code"),
    [
        ("DE", "", date(2026, 3, 15), date(2026, 4, 15), "EU"),  # one month
        ("FR", "", date(2026, 1, 31), date(2026, 2, 28), "EU"),  # no 31 February: the month's last day
        ("FR", "", date(2027, 12, 31), date(2028, 1, 31), "EU"),  # across the year
        ("BR", "", date(2026, 3, 1), date(2026, 3, 16), "BR"),  # LGPD: 15 days
        ("KE", "", date(2026, 3, 1), date(2026, 3, 8), "KE"),
        ("IN", "", date(2026, 3, 1), date(2026, 5, 30), "IN"),
        ("US", "US-CA", date(2026, 3, 1), date(2026, 4, 15), "US-CA"),  # CCPA: 45 days
        ("US", "US-NY", date(2026, 3, 1), date(2026, 3, 31), ""),  # no law in the file: the policy's 30 days
        ("PH", "", date(2026, 3, 1), date(2026, 3, 31), ""),
    ],
)
def test_deadline_per_jurisdiction(app_ctx, country, region, received, due, code):
    deadline = response_deadline(country, region, received)
    assert (deadline.due_on, deadline.jurisdiction) == (due, code)


def test_leap_year_month_end(app_ctx):
    assert add_months(date(2028, 1, 31), 1) == date(2028, 2, 29)


def test_every_period_names_its_source(app_ctx):
    periods = response_periods()
    assert {"EU", "BR", "KE", "IN", "US-CA"} <= set(periods)
    assert all(period.source for period in periods.values())

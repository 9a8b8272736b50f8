"""The retry backoff, and SendGrid's answers read."""

import random
from datetime import UTC, datetime, timedelta

from portal.mail.sendgrid import rate_limit_reset, sendgrid_errors
from portal.sending.retry import backoff_delay


def test_backoff_grows_exponentially_with_jitter_and_a_cap():
    rng = random.Random(7)
    for attempts, ceiling in ((1, 30), (2, 60), (3, 120), (10, 600)):
        delays = [backoff_delay(attempts, 30, 600, rng) for _ in range(50)]
        assert all(ceiling / 2 <= d <= ceiling for d in delays)
        assert len(set(delays)) > 40  # jittered


def test_rate_limit_reset_is_read_from_the_header_and_never_in_the_past():
    now = datetime(2026, 11, 1, tzinfo=UTC)
    reset = int((now + timedelta(seconds=42)).timestamp())
    assert rate_limit_reset({"X-RateLimit-Reset": str(reset)}, now) == now + timedelta(seconds=42)
    assert rate_limit_reset({"X-RateLimit-Reset": "1"}, now) == now + timedelta(seconds=1)
    assert rate_limit_reset({}, now) == now + timedelta(seconds=60)


def test_sendgrid_error_bodies_become_readable_reasons():
    body = b'{"errors": [{"message": "Invalid email", "field": "personalizations.0.to.0.email", "help": null}]}'
    assert sendgrid_errors(body) == "personalizations.0.to.0.email: Invalid email"
    assert sendgrid_errors(b"<html>oops</html>") == "<html>oops</html>"
    assert sendgrid_errors(b"") == "no reason given"

"""How long to wait before trying a chunk again, and when to give up."""

import random
from datetime import datetime, timedelta

from flask import current_app


def backoff_delay(attempts: int, base_seconds: float, cap_seconds: float, rng: random.Random | None = None) -> float:
    """Exponential backoff with jitter: base, 2x base, 4x base ... capped, each drawn from [half, full].

    The jitter spreads out chunks that failed together (a SendGrid outage fails every worker at
    once), so they do not all come back in the same second and fail again together.
    """
    ceiling = min(cap_seconds, base_seconds * 2 ** max(0, attempts - 1))
    return (rng or random).uniform(ceiling / 2, ceiling)  # timing jitter, not a secret


def next_attempt_at(now: datetime, attempts: int, config) -> datetime:
    seconds = backoff_delay(attempts, config["SEND_BACKOFF_SECONDS"], config["SEND_BACKOFF_MAX_SECONDS"])
    return now + timedelta(seconds=seconds)


def out_of_attempts(attempts: int, config) -> bool:
    return attempts >= config["SEND_MAX_ATTEMPTS"]


def db_attempts() -> int:
    """How many times a sending transaction is tried on a fresh connection before its rows are
    left for the reaper (SEND_DB_ATTEMPTS)."""
    return current_app.config["SEND_DB_ATTEMPTS"]

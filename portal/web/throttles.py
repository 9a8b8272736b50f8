"""Throttles on guessing: the identity check and both steps of staff sign-in.

Each POST takes its hit from every limit on its route before the view decides anything. (Flask-
Limiter's ``deduct_when`` does the opposite: it tests the limit first and counts the request
after the response, so every request already in flight has passed the test; a burst of 40 wrong
dates of birth had 16 evaluated against a limit of 5.) The hit is one atomic increment in the
storage every web process shares (Redis in production, which is why production refuses
``memory://``), so however many arrive at once, the limit's worth go on and the rest get 429.

A request that turns out not to be a wrong guess, the right details or a form with a field left
empty, gives its hits back (:func:`counts_wrong_guesses_only`), so a person who gets it right is
never slowed, and a whole office signing in from one address does not use up its limit.

Fixed windows, because only a counter can give a hit back: limits' moving window keeps one
timestamp per hit and has nothing to return one with. The cost is the fixed window's edge: up to
twice a limit can be tried across the end of one window and the start of the next; the per-IP
limits, an hour long, bound that over longer spans.
"""

from functools import wraps

from flask import request

from portal.extensions import limiter

STRATEGY = "fixed-window"
# Kept in the WSGI environ, which belongs to this one request (``g`` can outlive it in tests).
WRONG_GUESS = "portal.web.throttles.wrong_guess"


def record_wrong_guess() -> None:
    """The details were checked and were wrong: this request keeps its hits."""
    request.environ[WRONG_GUESS] = True


def counts_wrong_guesses_only(view):
    """Give back this POST's hits unless the view called :func:`record_wrong_guess` (or failed)."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        response = view(*args, **kwargs)
        if request.method == "POST" and not request.environ.get(WRONG_GUESS):
            give_back_hits()
        return response

    return wrapper


def give_back_hits() -> None:
    """Undo the hit each of this request's limits took before the view ran."""
    for taken in limiter.current_limits:
        if not taken.breached:
            limiter.storage.incr(taken.key, taken.limit.get_expiry(), amount=-1)

"""Helpers for the sending tests (the fake SendGrid fixtures live in tests/fakes/fixtures.py)."""

import threading
import time
from collections import Counter

from sqlalchemy import select

from portal.extensions import db
from portal.models import Notification
from portal.sending.pipeline import send_until_idle
from tests.fakes.fixtures import SENDGRID_SETTINGS  # noqa: F401 - re-exported for the tests here
from tests.fakes.sendgrid_server import FakeSendGrid


def statuses(batch_id: int) -> Counter:
    db.session.expire_all()
    return Counter(db.session.scalars(select(Notification.status).where(Notification.batch_id == batch_id)))


def all_ids(batch_id: int) -> list[str]:
    return [str(i) for i in db.session.scalars(select(Notification.id).where(Notification.batch_id == batch_id))]


def assert_nobody_mailed_twice(fake: FakeSendGrid) -> None:
    twice = {nid: n for nid, n in fake.possibly_mailed().items() if n > 1}
    assert not twice, f"notifications posted more than once: {twice}"


def send_in_background(app) -> threading.Thread:
    """``send_until_idle`` on a thread of its own (with its own app context), started."""

    def sender():
        with app.app_context():
            send_until_idle()
            db.session.remove()

    thread = threading.Thread(target=sender)
    thread.start()
    return thread


def wait_for_requests(fake: FakeSendGrid, count: int = 1, timeout: float = 30) -> None:
    """Until the fake has received ``count`` requests (it records one as it arrives)."""
    deadline = time.monotonic() + timeout
    while len(fake.requests) < count:
        assert time.monotonic() < deadline, "SendGrid never got the request"
        time.sleep(0.02)

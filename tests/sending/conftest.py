"""Helpers for the sending tests (the fake SendGrid fixtures live in tests/fakes/fixtures.py)."""

from collections import Counter

from sqlalchemy import select

from portal.extensions import db
from portal.models import Notification
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

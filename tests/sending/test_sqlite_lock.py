"""SQLite: another writer (an import) holding the database longer than busy_timeout.

Before, the sender crashed with "database is locked", stranding accepted rows in ``sending`` and
the rest ``queued``. Now each of its transactions waits and runs again, and the batch goes out.
"""

import logging
import sqlite3
import threading
import time

import pytest
from sqlalchemy import event
from sqlalchemy.engine import make_url

from portal.extensions import db
from portal.sending.pipeline import send_until_idle
from tests.factories import make_batch_with_notifications
from tests.sending.conftest import assert_nobody_mailed_twice, statuses

pytestmark = pytest.mark.sqlite_only  # SQLite's single write lock; PostgreSQL has row locks

HELD_SECONDS = 1.5
BUSY_MS = 100  # far below the hold, so the sender meets "database is locked" for real


@pytest.fixture
def short_busy_timeout(app):
    """The sender's connections give up on the lock after BUSY_MS instead of ten seconds."""
    engine = db.engine

    def shorter(dbapi_connection, _record):
        dbapi_connection.execute(f"PRAGMA busy_timeout={BUSY_MS}")

    engine.dispose()
    event.listen(engine, "connect", shorter)
    yield
    event.remove(engine, "connect", shorter)
    engine.dispose()


def test_a_sender_waits_out_a_long_write_lock_instead_of_crashing(
    sendgrid_app, fake_sendgrid, override_config, short_busy_timeout, caplog
):
    caplog.set_level(logging.WARNING, logger="portal.core.db_retry")
    override_config(SEND_CHUNK_SIZE=100, SEND_CLAIM_CHUNKS=2, SEND_DB_ATTEMPTS=10)
    batch = make_batch_with_notifications(600)
    db.session.commit()
    path = make_url(db.engine.url).database
    locked, release = threading.Event(), threading.Event()

    def an_import():
        other = sqlite3.connect(path, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")  # the write lock, as a long import holds it
        locked.set()
        release.wait(HELD_SECONDS)
        other.execute("COMMIT")
        other.close()

    holder = threading.Thread(target=an_import)
    fake_sendgrid.script(202)

    def hold_after_the_first_request():
        while not fake_sendgrid.requests:
            time.sleep(0.005)
        holder.start()

    starter = threading.Thread(target=hold_after_the_first_request)
    starter.start()
    started = time.monotonic()
    send_until_idle()
    starter.join(5)
    holder.join(5)
    assert locked.is_set()
    assert statuses(batch.id) == {"accepted": 600}
    assert time.monotonic() - started >= 0.5  # it really waited for the lock
    assert any("database is locked" in r.getMessage() or "refused" in r.getMessage() for r in caplog.records)
    assert_nobody_mailed_twice(fake_sendgrid)

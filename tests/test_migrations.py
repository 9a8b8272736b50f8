"""Migrations that change stored data, run against a scratch database of their own.

The session database is already at head and shared by every test, so these build another one
(an SQLite file, or a throwaway PostgreSQL database on the same server) and walk it through
the revisions around the change.
"""

import logging
import uuid

import flask_migrate
import pytest
from sqlalchemy import create_engine, inspect, select, text, update
from sqlalchemy.engine import make_url

from portal import create_app
from portal.constants import NoticeCodeSource
from portal.crypto import crypto
from portal.crypto.notice_codes import normalize_notice_code, notice_code_hash
from portal.dao.notice_codes import dao_get_live_notice_code
from portal.extensions import db
from portal.models import NoticeCode, Notification
from tests.conftest import DATABASE_URL, ON_POSTGRES, test_config
from tests.factories import make_batch_with_notifications


@pytest.fixture
def scratch_url(tmp_path):
    if not ON_POSTGRES:
        yield f"sqlite:///{tmp_path}/migrations.sqlite3"
        return
    name = f"test_migrations_{uuid.uuid4().hex[:8]}"
    server = create_engine(DATABASE_URL, isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        connection.execute(text(f"CREATE DATABASE {name}"))
    try:
        yield make_url(DATABASE_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with server.connect() as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        server.dispose()


MESSAGE_ID_INDEX = "ix_notification_provider_message_id"


def notification_indexes() -> set[str]:
    return {index["name"] for index in inspect(db.engine).get_indexes("notification")}


def test_0005_keeps_every_issued_code_working_and_linked(scratch_url, tmp_path):
    application = create_app(test_config(tmp_path, SQLALCHEMY_DATABASE_URI=scratch_url))
    with application.app_context():
        # The rows are made with today's models at the head, then the schema goes back to 0004 and
        # the code gets the hash 0004 stored: the models have columns later revisions add, so rows
        # made by them at 0004 would break whenever a revision adds one.
        flask_migrate.upgrade()
        batch = make_batch_with_notifications(count=2)
        notifications = db.session.execute(
            select(Notification.id, Notification.person_id).order_by(Notification.id)
        ).all()
        code = normalize_notice_code("ABCD-EFGH-JKMN")
        full_hash = crypto().codes.digest("notice-code", code)  # what 0004 and before stored: 64 characters
        issued = NoticeCode(
            person_id=notifications[0].person_id,
            incident_id=batch.incident_id,
            code_hash=full_hash[:16],
            source=NoticeCodeSource.NOTICE,
        )
        db.session.add(issued)
        db.session.flush()
        db.session.execute(
            update(Notification).where(Notification.id == notifications[0].id).values(notice_code_id=issued.id)
        )
        db.session.commit()
        issued_id, notification_id = issued.id, notifications[0].id
        db.session.remove()
        flask_migrate.downgrade(revision="0004")
        with db.engine.begin() as connection:
            connection.execute(
                text("UPDATE notice_code SET code_hash = :hash WHERE id = :id"), {"hash": full_hash, "id": issued_id}
            )

        flask_migrate.upgrade()

        found = dao_get_live_notice_code(notice_code_hash(code))
        assert found is not None and found.id == issued_id
        assert found.code_hash == full_hash[:16]
        # SQLite rebuilds the table to change the column; the notification must still point at it.
        assert db.session.get(Notification, notification_id).notice_code_id == issued_id
        db.session.remove()
        assert MESSAGE_ID_INDEX not in notification_indexes()

        flask_migrate.downgrade(revision="0004")
        assert MESSAGE_ID_INDEX in notification_indexes()
        flask_migrate.upgrade()
        assert dao_get_live_notice_code(notice_code_hash(code)).id == issued_id
        db.session.remove()
        db.engine.dispose()


def test_running_the_migrations_leaves_the_portals_loggers_working(app):
    """Alembic's logging set-up disables every logger that exists unless told not to; tests that
    check nothing personal is logged would then watch a silent log and could never fail."""
    portal_loggers = [logging.getLogger(name) for name in logging.root.manager.loggerDict if name.startswith("portal.")]
    assert portal_loggers, "the portal's modules create their loggers at import"
    assert [lg.name for lg in portal_loggers if lg.disabled] == []

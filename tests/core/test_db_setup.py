"""Every PostgreSQL session runs in UTC, whatever the server's TimeZone is set to.

A server (or role, or PGOPTIONS) in another zone answered timestamps in that zone and took SQL's
date() in it: the audit chain then looked broken (its hashes are over each time's ISO text),
unsubscribe links stopped working and retention dates moved by a day. Here the sessions are
asked for UTC+14, the zone furthest from UTC, and must still work in UTC.
"""

import os

import pytest
from sqlalchemy import text

from portal.audit.chain import record_audit, verify_audit_chain
from portal.constants import AuditAction
from portal.extensions import db
from portal.models import AuditEvent
from tests.conftest import ON_POSTGRES
from tests.live import app_like

FAR_ZONE = "Pacific/Kiritimati"  # UTC+14


@pytest.fixture
def far_zone_app(app, monkeypatch):
    """An app on the suite's database whose connections the server would put in UTC+14."""
    monkeypatch.setenv("PGOPTIONS", f"{os.environ.get('PGOPTIONS', '')} -c timezone={FAR_ZONE}".strip())
    application = app_like(app)
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.mark.postgres_only
@pytest.mark.skipif(not ON_POSTGRES, reason="a session time zone is PostgreSQL's; the PostgreSQL pass runs it")
def test_a_server_in_another_zone_still_gives_utc_sessions_and_a_whole_audit_chain(far_zone_app):
    with far_zone_app.app_context():
        assert db.session.scalar(text("SHOW TimeZone")) == "UTC"
        record_audit(AuditAction.REGISTER_IMPORTED, "incident:1", actor="test")
        db.session.commit()
        db.session.expire_all()
        at = db.session.query(AuditEvent).one().at
        assert at.utcoffset().total_seconds() == 0
        assert verify_audit_chain() is None

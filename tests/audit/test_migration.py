"""0009 numbers the rows chained before keys, keeps their plain SHA-256, and the keyed chain continues them."""

import hashlib
from datetime import UTC, datetime

import flask_migrate
from sqlalchemy import text

from portal import create_app
from portal.audit.chain import record_audit, verify_chain
from portal.constants import AuditAction
from portal.extensions import db
from tests.conftest import test_config
from tests.test_migrations import scratch_url  # noqa: F401 - the scratch database fixture


def test_0009_keeps_old_rows_and_links_the_keyed_segment_to_them(scratch_url, tmp_path):  # noqa: F811
    application = create_app(test_config(tmp_path, SQLALCHEMY_DATABASE_URI=scratch_url))
    with application.app_context():
        flask_migrate.upgrade(revision="0007")
        prev = "0" * 64
        for n in range(3):
            at = datetime(2026, 1, 1, 12, 0, n, tzinfo=UTC)
            fields = (prev, at.isoformat(), "cli", "person.viewed", f"person:{n}", "", "{}")
            row_hash = hashlib.sha256("\x1f".join(fields).encode()).hexdigest()
            db.session.execute(
                text(
                    "INSERT INTO audit_event (at, actor, action, target, ip, details, prev_hash, row_hash) "
                    "VALUES (:at, 'cli', 'person.viewed', :target, '', '{}', :prev, :hash)"
                ),
                {"at": at, "target": f"person:{n}", "prev": prev, "hash": row_hash},
            )
            prev = row_hash
        db.session.commit()
        flask_migrate.upgrade()
        record_audit(AuditAction.PERSON_VIEWED, "person:3", actor="cli")
        db.session.commit()
        rows = db.session.execute(text("SELECT seq, key_id, prev_hash, row_hash FROM audit_event ORDER BY seq")).all()
        assert [(r.seq, r.key_id) for r in rows] == [(1, ""), (2, ""), (3, ""), (4, "a1")]
        assert rows[3].prev_hash == rows[2].row_hash
        assert verify_chain(full=True).intact
        db.session.remove()
        db.engine.dispose()

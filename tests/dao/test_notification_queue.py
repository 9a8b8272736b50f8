"""Claiming the next chunk costs the same at the end of a batch as at the start.

The candidate query used to walk the person index and filter out every row already sent, so each
chunk cost more than the last. It now walks ix_notification_due, which holds queued rows only, in
the order the query takes them. This keeps that plan: EXPLAIN ANALYZE (after ANALYZE) of the very
statement the sender runs, late in a batch, must not touch the rows already sent.
"""

import json

import pytest
from sqlalchemy import event, select, text

from portal.core.time import utcnow
from portal.dao.notification_queue import dao_select_candidates
from portal.extensions import db
from portal.models import Batch, Notification
from tests.conftest import ON_POSTGRES
from tests.factories import make_batch_with_notifications

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(not ON_POSTGRES, reason="the plan is PostgreSQL's; the PostgreSQL pass runs it"),
]

NOTICES = 20000
SENT = 18000  # 90% of the batch already sent
CHUNK = 200


def _nodes(plan: dict):
    yield plan
    for child in plan.get("Plans", []):
        yield from _nodes(child)


def summary(nodes) -> list:
    return [(n["Node Type"], n.get("Relation Name"), n.get("Index Name"), n.get("Actual Rows")) for n in nodes]


def test_claiming_late_in_a_batch_walks_only_the_rows_still_due(app_ctx):
    batch = make_batch_with_notifications(NOTICES, status="sending")
    ids = db.session.scalars(select(Notification.id).where(Notification.batch_id == batch.id).order_by(Notification.id))
    sent = list(ids)[:SENT]
    db.session.execute(Notification.__table__.update().where(Notification.id.in_(sent)).values(status="accepted"))
    db.session.commit()
    db.session.execute(text("ANALYZE notification"))
    db.session.execute(text("ANALYZE person"))
    db.session.commit()

    captured = []

    def capture(_conn, _cursor, statement, parameters, _context, _many):
        if "FOR UPDATE" in statement and "notification" in statement:
            captured.append((statement, parameters))

    engine = db.engine
    event.listen(engine, "before_cursor_execute", capture)
    try:
        found = dao_select_candidates(batch.id, batch.incident_id, "en", "", utcnow(), CHUNK)
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    db.session.rollback()
    assert len(found) == CHUNK and min(row[0] for row in found) > max(sent)
    statement, parameters = captured[-1]

    raw = db.session.connection().connection.driver_connection
    with raw.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + statement, parameters)
        plan = cursor.fetchone()[0]
    db.session.rollback()
    plan = plan if isinstance(plan, list) else json.loads(plan)
    nodes = list(_nodes(plan[0]["Plan"]))
    on_notification = [n for n in nodes if n.get("Relation Name") == "notification"]
    assert on_notification, plan
    for node in on_notification:
        used = {n.get("Index Name") for n in _nodes(node)} - {None}
        assert node["Node Type"] in ("Index Scan", "Index Only Scan", "Bitmap Heap Scan"), summary(nodes)
        assert used == {"ix_notification_due"}, summary(nodes)
        # Rows read and thrown away: none of the 5,400 sent rows, at most the few queued rows of
        # another content or not due yet.
        assert node.get("Rows Removed by Filter", 0) < CHUNK, node
    # The people are found by primary key, one probe per candidate, not by reading the register.
    assert not [n for n in nodes if n["Node Type"] == "Seq Scan"], summary(nodes)
    db.session.expire_all()
    assert db.session.get(Batch, batch.id).status == "sending"

"""The queue of notifications to send: which queued rows go next, and claiming a chunk of them
with their notice codes in a few statements (the outcomes are in notifications.py, batch-level
queries in batches.py, the webhook's in notification_events.py).

The hot path uses Core statements over whole chunks so a batch of a million costs a few thousand
statements, not millions of ORM objects.
"""

import json
from datetime import datetime

from sqlalchemy import (
    ARRAY,
    Integer,
    String,
    any_,
    bindparam,
    exists,
    func,
    insert,
    literal,
    literal_column,
    or_,
    select,
    type_coerce,
)
from sqlalchemy.sql.elements import Grouping

from portal.constants import BatchStatus, NotificationStatus
from portal.dao.sql import is_postgres, string_agg
from portal.extensions import db
from portal.models import (
    Batch,
    Exposure,
    NoticeCode,
    Notification,
    Person,
)

N = Notification.__table__
S = NotificationStatus


# -- claiming -------------------------------------------------------------------------------------


def dao_select_candidates(
    batch_id: int, incident_id: int, language: str, jurisdiction: str, now: datetime, limit: int
) -> list[tuple[int, int, str, str, str, str, str]]:
    """Up to ``limit`` due queued rows of one content: (notification id, person id, first, last,
    email, the person's exposed categories in this incident joined by commas, "" if none, country).

    On PostgreSQL they are locked until commit (FOR UPDATE OF notification SKIP LOCKED), so workers
    claiming side by side get disjoint chunks without waiting for each other. SQLite has no row
    locks; ``dao_claim_with_codes`` re-checks each row is still queued, so a row is claimed once.
    The categories come from the (person, incident, category) unique index, one probe per row, in
    the same statement: a second query with a thousand person ids cost more than the aggregate.
    """
    person, exposure = Person.__table__, Exposure.__table__
    categories = (
        select(string_agg(exposure.c.category, ","))
        .where(exposure.c.person_id == person.c.id, exposure.c.incident_id == incident_id)
        .scalar_subquery()
    )
    batch_sending = exists().where(
        Batch.id == batch_id,
        Batch.status == BatchStatus.SENDING,
        or_(Batch.paused_until.is_(None), Batch.paused_until <= now),
    )
    rows = (
        db.session.connection()
        .execute(
            select(N.c.id, N.c.person_id, person.c.first_name, person.c.last_name, person.c.email)
            .add_columns(categories, person.c.country)
            .select_from(N.join(person, person.c.id == N.c.person_id))
            .where(
                N.c.batch_id == batch_id,
                # A literal, not a parameter: the planner must see the partial index's own predicate
                # (ix_notification_due: queued rows only) even in a generic plan of a prepared statement.
                N.c.status == literal_column(f"'{S.QUEUED.value}'"),
                N.c.language == language,
                N.c.jurisdiction == jurisdiction,
                or_(N.c.next_attempt_at.is_(None), N.c.next_attempt_at <= now),
                batch_sending,
            )
            # The index's own order: the walk starts at the first row still due, never at sent ones.
            .order_by(N.c.id)
            .limit(limit)
            .with_for_update(skip_locked=True, of=N)
        )
        .all()
    )
    return [
        (nid, pid, first, last, email, found or "", country or "")
        for nid, pid, first, last, email, found, country in rows
    ]


def dao_claim_with_codes(
    incident_id: int, source: str, now: datetime, triples: list[tuple[int, int, str]], token: str
) -> set[int]:
    """For each (notification id, person id, code hash): store the NoticeCode and, if the notification
    is still queued and its batch still sending, mark it ``sending`` pointing at that code. The ids
    claimed. The whole chunk travels as array parameters, in three statements.
    """
    codes = NoticeCode.__table__
    columns = [codes.c.person_id, codes.c.incident_id, codes.c.code_hash, codes.c.source, codes.c.created_at]
    fixed = (literal(incident_id, Integer), literal(source, String), literal(now, codes.c.created_at.type))
    claim = {
        "status": S.SENDING,
        "claimed_at": now,
        "claim_token": token,
        "attempts": N.c.attempts + 1,
        "updated_at": now,
    }
    still_sending = exists().where(Batch.id == N.c.batch_id, Batch.status == BatchStatus.SENDING)
    connection = db.session.connection()
    if is_postgres():
        # Ids drawn from the table's own sequence first, so each notification is joined to its code
        # by primary key, not by looking a thousand hashes up again.
        code_ids = list(
            connection.execute(
                select(func.nextval(func.pg_get_serial_sequence("notice_code", "id"))).select_from(
                    func.generate_series(1, len(triples))
                )
            ).scalars()
        )
        rows = (
            func.unnest(
                literal(code_ids, ARRAY(Integer)),
                literal([t[1] for t in triples], ARRAY(Integer)),
                literal([t[2] for t in triples], ARRAY(String)),
            )
            .table_valued("cid", "pid", "h")
            .render_derived()
        )
        connection.execute(
            insert(codes).from_select(
                [codes.c.id, *columns], select(rows.c.cid, rows.c.pid, fixed[0], rows.c.h, fixed[1], fixed[2])
            )
        )
        # By primary key (= ANY), each row finding its code's id at its own position in the array: a
        # plan that does not depend on statistics for a batch inserted a minute ago. The rows are ours
        # (locked by dao_select_candidates), so a cancel waits for this commit and then skips them.
        nids, cids = literal([t[0] for t in triples], ARRAY(Integer)), literal(code_ids, ARRAY(Integer))
        statement = (
            N.update()
            .values(
                notice_code_id=type_coerce(Grouping(cids), ARRAY(Integer))[func.array_position(nids, N.c.id)], **claim
            )
            .where(N.c.id == any_(nids), N.c.status == S.QUEUED)
            .returning(N.c.id)
        )
        return set(connection.execute(statement).scalars())
    rows = func.json_each(literal(json.dumps([(t[1], t[2]) for t in triples]))).table_valued("value")
    pid, digest = (func.json_extract(rows.c.value, f"$[{i}]") for i in range(2))
    connection.execute(insert(codes).from_select(columns, select(pid, fixed[0], digest, fixed[1], fixed[2])))
    # One INSERT … SELECT gives its rows consecutive rowids in the order json_each yields them, and
    # it holds the write lock, so the k-th code is last_insert_rowid() - n + 1 + k: each notification
    # finds its code by primary key instead of probing the hash index again. Checking the code's
    # person and time stops any other numbering from pairing a row with a code that is not the one
    # being mailed to that person; whatever it leaves unclaimed (and still claimable) is then paired
    # by hash, so a wrong guess costs time, never a notice.
    first_id = _first_inserted_id(connection, len(triples))
    nids = func.json_each(literal(json.dumps([t[0] for t in triples]))).table_valued("key", "value")
    claimed = set(
        connection.execute(
            N.update()
            .values(notice_code_id=codes.c.id, **claim)
            .where(
                N.c.id == nids.c.value,
                codes.c.id == first_id + nids.c.key,
                codes.c.person_id == N.c.person_id,
                codes.c.created_at == now,  # not an older code of the same person
                # Unary + keeps SQLite from driving the join off the status index (every queued row).
                literal_column("+notification.status") == S.QUEUED,
                still_sending,
            )
            .returning(N.c.id)
        ).scalars()
    )
    if len(claimed) == len(triples):
        return claimed
    rest = func.json_each(literal(json.dumps([t for t in triples if t[0] not in claimed]))).table_valued("value")
    nid, digest = func.json_extract(rest.c.value, "$[0]"), func.json_extract(rest.c.value, "$[2]")
    by_hash = (
        N.update()
        .values(notice_code_id=codes.c.id, **claim)
        .where(N.c.id == nid, codes.c.code_hash == digest, N.c.status == S.QUEUED, still_sending)
        .returning(N.c.id)
    )
    return claimed | set(connection.execute(by_hash).scalars())


def _first_inserted_id(connection, count: int) -> int:
    """The rowid SQLite gave the first of the ``count`` rows the last INSERT … SELECT added."""
    return connection.execute(select(func.last_insert_rowid())).scalar_one() - count + 1


def dao_attach_notice_codes(pairs: list[dict]) -> None:
    """``pairs``: {"nid": notification id, "cid": notice code id}."""
    db.session.connection().execute(
        N.update().where(N.c.id == bindparam("nid")).values(notice_code_id=bindparam("cid")), pairs
    )

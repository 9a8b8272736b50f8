"""Notifications after their claim: the fence that keeps a sender to its own rows, the outcomes
it records, the reaper, and the admin's decisions on a batch's rows (claiming is in
notification_queue.py).
"""

from datetime import datetime

from sqlalchemy import (
    and_,
    exists,
    or_,
    select,
    update,
)

from portal.constants import BatchStatus, NotificationStatus
from portal.dao.sql import id_in
from portal.extensions import db
from portal.models import (
    Batch,
    NoticeCode,
    NoticeTemplate,
    NoticeTemplateVersion,
    Notification,
)

N = Notification.__table__
S = NotificationStatus


# -- the fence and the outcomes -------------------------------------------------------------------
#
# A sender's claim gives its rows a claim token. Every later step of that sender touches only rows
# that still carry the token in the status it expects, so rows the reaper, a cancel or an admin
# moved meanwhile are never posted or settled by it. Each outcome is one UPDATE per table over the
# chunk's rows (never the same rows twice in one transaction), after the rows are locked in id
# order, and no batch row is locked after them (see portal/sending/settle.py).


def _held(ids: list[int], token: str, statuses) -> object:
    return and_(id_in(N.c.id, ids), N.c.claim_token == token, N.c.status.in_(list(statuses)))


def dao_mark_posting(ids: list[int], token: str, now: datetime) -> list[int]:
    """``sending`` -> ``posting`` for the rows still ours while their batch is sending and not
    paused by a 429; the ids marked.

    Committed by the caller before the request leaves: a row only ever becomes ``unknown`` if it
    carried this mark, and a row without it was certainly not posted.
    """
    batch_sending = exists().where(
        Batch.id == N.c.batch_id,
        Batch.status == BatchStatus.SENDING,
        or_(Batch.paused_until.is_(None), Batch.paused_until <= now),
    )
    statement = (
        N.update()
        # POSTING too: a retry after a connection lost at COMMIT finds its own mark already there.
        .where(_held(ids, token, (S.SENDING, S.POSTING)), batch_sending)
        .values(status=S.POSTING, claimed_at=now, updated_at=now)
        .returning(N.c.id)
    )
    return sorted(db.session.connection().execute(statement).scalars())


def dao_lock_held(ids: list[int], token: str, statuses) -> list[tuple[int, int | None, int, str]]:
    """(id, notice code id, attempts, status) of the rows still held by ``token`` in ``statuses``, locked in
    id order until commit (PostgreSQL; SQLite has one writer)."""
    statement = (
        select(N.c.id, N.c.notice_code_id, N.c.attempts, N.c.status)
        .where(_held(ids, token, statuses))
        .order_by(N.c.id)
        .with_for_update()
    )
    return [tuple(row) for row in db.session.connection().execute(statement)]


def dao_revoke_codes(code_ids: list[int], now: datetime) -> None:
    """These codes were never mailed: nobody can have them."""
    if code_ids:
        codes = NoticeCode.__table__
        db.session.connection().execute(
            codes.update().where(id_in(codes.c.id, code_ids), codes.c.revoked_at.is_(None)).values(revoked_at=now)
        )


def dao_settle_held(ids: list[int], token: str, statuses, now: datetime, **values) -> int:
    """One UPDATE of the rows still held by ``token`` in ``statuses``; how many moved."""
    if not ids:
        return 0
    result = db.session.connection().execute(
        N.update().where(_held(ids, token, statuses)).values(updated_at=now, **values)
    )
    return result.rowcount


def dao_release_token(token: str, now: datetime) -> int:
    """Rows ``token`` claimed and never marked: codes revoked, back to ``queued``; how many."""
    held = list(
        db.session.connection().execute(
            select(N.c.id, N.c.notice_code_id)
            .where(N.c.claim_token == token, N.c.status == S.SENDING)
            .order_by(N.c.id)
            .with_for_update()
        )
    )
    if not held:
        return 0
    dao_revoke_codes([code for _, code in held if code is not None], now)
    return dao_settle_held(
        [nid for nid, _ in held],
        token,
        (S.SENDING,),
        now,
        status=S.QUEUED,
        notice_code_id=None,
        claimed_at=None,
        claim_token=None,
        attempts=N.c.attempts - 1,
    )


def dao_reap_stale(claimed_before: datetime, error: str, now: datetime) -> tuple[int, int, list[int]]:
    """Claims older than ``claimed_before``: rows only ``sending`` (never posted) back to ``queued``
    with their codes revoked; rows ``posting`` -> ``unknown``. (requeued, unknown, batch ids)."""
    stale = and_(N.c.status.in_([S.SENDING, S.POSTING]), N.c.claimed_at < claimed_before)
    rows = list(
        db.session.connection().execute(
            select(N.c.id, N.c.batch_id, N.c.status, N.c.notice_code_id).where(stale).order_by(N.c.id).with_for_update()
        )
    )
    if not rows:
        return 0, 0, []
    unposted = [row for row in rows if row.status == S.SENDING]
    dao_revoke_codes([row.notice_code_id for row in unposted if row.notice_code_id is not None], now)
    connection = db.session.connection()
    requeued = (
        connection.execute(
            N.update()
            .where(id_in(N.c.id, [row.id for row in unposted]), N.c.status == S.SENDING)
            .values(
                status=S.QUEUED,
                notice_code_id=None,
                claimed_at=None,
                claim_token=None,
                attempts=N.c.attempts - 1,
                updated_at=now,
            )
        ).rowcount
        if unposted
        else 0
    )
    posted = [row.id for row in rows if row.status == S.POSTING]
    unknown = (
        connection.execute(
            N.update()
            .where(id_in(N.c.id, posted), N.c.status == S.POSTING)
            .values(status=S.UNKNOWN, last_error=error, updated_at=now)
        ).rowcount
        if posted
        else 0
    )
    return requeued, unknown, sorted({row.batch_id for row in rows})


def dao_mark_failed(ids: list[int], error: str, now: datetime, from_statuses=(S.QUEUED,)) -> int:
    """Rows that cannot be mailed at all (no address, no content) -> failed, before any claim."""
    result = db.session.execute(
        update(Notification)
        .where(Notification.id.in_(ids), Notification.status.in_(from_statuses))
        .values(status=S.FAILED, last_error=error, failed_at=now, next_attempt_at=None)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount


# -- admin decisions ------------------------------------------------------------------------------


def dao_cancel_queued(batch_id: int, now: datetime) -> int:
    result = db.session.execute(
        update(Notification)
        .where(Notification.batch_id == batch_id, Notification.status == S.QUEUED)
        .values(status=S.CANCELLED, next_attempt_at=None)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount


def dao_requeue_batch_rows(batch_id: int, status: str, ids: list[int] | None = None) -> int:
    """``status`` rows of the batch (optionally only ``ids``) back to queued with a fresh attempt count."""
    condition = and_(Notification.batch_id == batch_id, Notification.status == status)
    if ids is not None:
        condition = and_(condition, Notification.id.in_(ids))
    result = db.session.execute(
        update(Notification)
        .where(condition)
        .values(status=S.QUEUED, attempts=0, next_attempt_at=None, claimed_at=None, failed_at=None, claim_token=None)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount


def dao_mark_unknown_sent(batch_id: int, ids: list[int] | None, now: datetime) -> int:
    condition = and_(Notification.batch_id == batch_id, Notification.status == S.UNKNOWN)
    if ids is not None:
        condition = and_(condition, Notification.id.in_(ids))
    result = db.session.execute(
        update(Notification)
        .where(condition)
        .values(status=S.ACCEPTED, accepted_at=now)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount


def dao_get_person_notifications(person_id: int) -> list[tuple[Notification, Batch, str, int]]:
    """(notification, batch, template name, version number), newest batch first."""
    query = (
        select(Notification, Batch, NoticeTemplate.name, NoticeTemplateVersion.version)
        .join(Batch, Batch.id == Notification.batch_id)
        .join(NoticeTemplateVersion, NoticeTemplateVersion.id == Batch.template_version_id)
        .join(NoticeTemplate, NoticeTemplate.id == NoticeTemplateVersion.template_id)
        .where(Notification.person_id == person_id)
        .order_by(Notification.id.desc())
    )
    return [tuple(row) for row in db.session.execute(query)]


def dao_channel_of_notice_code(person_id: int, code_id: int) -> str | None:
    """The channel of the batch that sent this code, found through the person's own (indexed)
    notifications: notification.notice_code_id has no index, and sending is faster without one."""
    return db.session.scalar(
        select(Batch.channel)
        .join(Notification, Notification.batch_id == Batch.id)
        .where(Notification.person_id == person_id, Notification.notice_code_id == code_id)
        .limit(1)
    )


def dao_notices_of_person(person_id: int) -> list[tuple[Notification, Batch]]:
    rows = db.session.execute(
        select(Notification, Batch)
        .join(Batch, Batch.id == Notification.batch_id)
        .where(Notification.person_id == person_id)
        .order_by(Notification.id)
    )
    return [(notification, batch) for notification, batch in rows]

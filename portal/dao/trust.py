"""Queries of the trust pages: notice codes as the check page sees them, reports, the organisation row."""

from datetime import date, datetime
from typing import NamedTuple

from sqlalchemy import func, or_, select, update

from portal.dao.sql import upsert_insert
from portal.extensions import db
from portal.models import (
    Batch,
    ContactChange,
    LetterRequest,
    LetterRequestFile,
    Notification,
    Organisation,
    Person,
    ReturnedLetter,
    SuspiciousReport,
)
from portal.trust.constants import LetterRequestStatus

NO_ID = -1  # looked up when nothing was found, so a miss costs the same queries as a hit


def dao_channel_of_notice_code(person_id: int, code_id: int) -> str | None:
    """The channel of the batch that sent this code, found through the person's own (indexed)
    notifications: notification.notice_code_id has no index, and sending is faster without one."""
    return db.session.scalar(
        select(Batch.channel)
        .join(Notification, Notification.batch_id == Batch.id)
        .where(Notification.person_id == person_id, Notification.notice_code_id == code_id)
        .limit(1)
    )


def dao_get_organisation(organisation_id: int) -> Organisation | None:
    return db.session.get(Organisation, organisation_id)


def dao_add_suspicious_report(report: SuspiciousReport) -> None:
    db.session.add(report)


def dao_suspicious_report_groups(since: datetime) -> list[tuple[str, str, int, datetime, datetime, int]]:
    """(group kind, key, reports, first, last, reports since ``since``) per sender group, busiest recent first."""
    recent = func.sum(func.cast(SuspiciousReport.created_at >= since, db.Integer))
    rows = db.session.execute(
        select(
            SuspiciousReport.group_kind,
            SuspiciousReport.group_key,
            func.count(),
            func.min(SuspiciousReport.created_at),
            func.max(SuspiciousReport.created_at),
            recent,
        )
        .group_by(SuspiciousReport.group_kind, SuspiciousReport.group_key)
        .order_by(recent.desc(), func.count().desc(), SuspiciousReport.group_key)
        .limit(200)
    )
    return [tuple(row) for row in rows]


def dao_suspicious_reports_in_group(group_kind: str, group_key: str, limit: int = 50) -> list[SuspiciousReport]:
    return list(
        db.session.scalars(
            select(SuspiciousReport)
            .where(SuspiciousReport.group_kind == group_kind, SuspiciousReport.group_key == group_key)
            .order_by(SuspiciousReport.created_at.desc(), SuspiciousReport.id.desc())
            .limit(limit)
        )
    )


def dao_people_named_like(last_prefix: str, first_prefix: str) -> list[Person]:
    """Register entries whose last or first name starts with these (lower-case) letters: the caller
    compares whole names without accents, case or punctuation, which SQL here cannot."""
    conditions = [func.lower(Person.last_name).like(f"{last_prefix}%")] if last_prefix else []
    conditions += [func.lower(Person.first_name).like(f"{first_prefix}%")] if first_prefix else []
    if not conditions:
        return []
    return list(db.session.scalars(select(Person).where(or_(*conditions)).limit(50_000)))


def dao_queue_letter_request(person_id: int, source: str, now: datetime) -> bool:
    """Queue one letter for the person unless one is already waiting; True if this call queued it.

    One statement on the partial unique index ``uq_letter_request_queued``: two requests at the
    same moment (a double click, two agents, the post form) cannot both see "none waiting".
    """
    statement = (
        upsert_insert(LetterRequest)
        .values(person_id=person_id, source=source, status=LetterRequestStatus.QUEUED.value, created_at=now)
        .on_conflict_do_nothing(
            index_elements=[LetterRequest.person_id], index_where=LetterRequest.status == LetterRequestStatus.QUEUED
        )
        .execution_options(preserve_rowcount=True)
    )
    return db.session.execute(statement).rowcount == 1


def dao_queued_letter_ids() -> list[int]:
    return list(
        db.session.scalars(
            select(LetterRequest.id)
            .where(LetterRequest.status == LetterRequestStatus.QUEUED)
            .order_by(LetterRequest.id)
        )
    )


def dao_claim_letter_requests(ids: list[int], file_id: int) -> list[tuple[LetterRequest, Person]]:
    """Move these requests, if still queued, into the file; the ones this transaction got.

    A conditional UPDATE: a second admin's file made at the same moment finds them taken (on
    PostgreSQL it waits for the first transaction, then sees the new status) and gets none."""
    db.session.execute(
        update(LetterRequest)
        .where(LetterRequest.id.in_(ids), LetterRequest.status == LetterRequestStatus.QUEUED)
        .values(status=LetterRequestStatus.IN_FILE, letter_file_id=file_id)
        .execution_options(synchronize_session=False)
    )
    rows = db.session.execute(
        select(LetterRequest, Person)
        .join(Person, Person.id == LetterRequest.person_id)
        .where(LetterRequest.letter_file_id == file_id)
        .order_by(LetterRequest.id)
    )
    return [(request, person) for request, person in rows]


def dao_letter_request_files(limit: int = 20) -> list[LetterRequestFile]:
    return list(db.session.scalars(select(LetterRequestFile).order_by(LetterRequestFile.id.desc()).limit(limit)))


class ReachFacts(NamedTuple):
    """What says whether our mail reaches a person: their newest notification's status and when it
    got it, their latest returned letter, and when they last changed any / their postal details."""

    notification_status: str | None
    notification_at: datetime | None
    returned_on: date | None
    changed_at: datetime | None
    address_changed_at: datetime | None


def dao_reach_facts(person_id: int, address_kind: str) -> ReachFacts:
    """One statement (the person's own page counts its queries): scalar subqueries on indexed person_id."""
    newest = (
        select(Notification.status, Notification.updated_at)
        .where(Notification.person_id == person_id)
        .order_by(Notification.id.desc())
        .limit(1)
        .subquery()
    )
    changes = select(func.max(ContactChange.applied_at)).where(ContactChange.person_id == person_id)
    row = db.session.execute(
        select(
            select(newest.c.status).scalar_subquery(),
            select(newest.c.updated_at).scalar_subquery(),
            select(func.max(ReturnedLetter.returned_on)).where(ReturnedLetter.person_id == person_id).scalar_subquery(),
            changes.scalar_subquery(),
            changes.where(ContactChange.kind == address_kind).scalar_subquery(),
        )
    ).one()
    return ReachFacts(*row)


def dao_get_letter_request_file(file_id: int) -> LetterRequestFile | None:
    return db.session.get(LetterRequestFile, file_id)


def dao_add_organisation(row: Organisation) -> None:
    db.session.add(row)
    db.session.flush()


def dao_add_letter_request_file(letter_file: LetterRequestFile) -> None:
    db.session.add(letter_file)
    db.session.flush()  # its id goes on the requests it takes

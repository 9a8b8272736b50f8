"""Queries of the trust pages: notice codes as the check page sees them, reports, the organisation row."""

from datetime import datetime

from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Batch, NoticeCode, Notification, Organisation, SuspiciousReport

NO_ID = -1  # looked up when nothing was found, so a miss costs the same queries as a hit


def dao_notice_code_facts(code_hash: str) -> tuple[int, int, str, datetime, datetime | None] | None:
    """(code id, person id, source, created_at, revoked_at) of the code with this hash, live or not."""
    row = db.session.execute(
        select(NoticeCode.id, NoticeCode.person_id, NoticeCode.source, NoticeCode.created_at, NoticeCode.revoked_at)
        .where(NoticeCode.code_hash == code_hash)
        .limit(1)
    ).first()
    return tuple(row) if row else None


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

"""Suspicious-message reports from the public, and their groups for staff."""

from datetime import datetime

from sqlalchemy import func, select

from portal.extensions import db
from portal.models import (
    SuspiciousReport,
)


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

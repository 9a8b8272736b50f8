"""Reports of suspicious messages: stored for staff, grouped by sender so a campaign shows early."""

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from portal.core.time import utcnow
from portal.crypto import crypto
from portal.dao.suspicious_reports import (
    dao_add_suspicious_report,
    dao_suspicious_report_groups,
    dao_suspicious_reports_in_group,
)
from portal.extensions import db
from portal.models import SuspiciousReport
from portal.trust.matching import check_sender, group_key
from portal.trust.organisation import current_organisation

# A group with this many reports in the last RECENT_HOURS is flagged as a campaign starting.
CAMPAIGN_REPORTS = 3
RECENT_HOURS = 48


def _text_aad(uid: str) -> str:
    return f"suspicious-report:{uid}"


def file_report(channel: str, sender: str, received_on: date | None, text: str) -> SuspiciousReport:
    kind, key = group_key(sender)
    report = SuspiciousReport(
        uid=uuid.uuid4().hex,
        channel=channel,
        sender=sender[:300],
        group_kind=kind.value,
        group_key=key[:300],
        verdict=check_sender(sender, current_organisation()).verdict.value,
        received_on=received_on,
    )
    # Sealed: a pasted message often carries the reporter's own name or account details.
    report.text_enc = crypto().cipher.encrypt(text, _text_aad(report.uid)) if text else None
    dao_add_suspicious_report(report)
    db.session.commit()
    return report


def report_text(report: SuspiciousReport) -> str:
    return crypto().cipher.decrypt(report.text_enc, _text_aad(report.uid)) if report.text_enc else ""


@dataclass(frozen=True)
class ReportGroup:
    kind: str
    key: str
    reports: int
    first_at: datetime
    last_at: datetime
    recent: int

    @property
    def campaign(self) -> bool:
        return self.recent >= CAMPAIGN_REPORTS


def report_groups(now: datetime | None = None) -> list[ReportGroup]:
    since = (now or utcnow()) - timedelta(hours=RECENT_HOURS)
    return [ReportGroup(*row[:5], int(row[5] or 0)) for row in dao_suspicious_report_groups(since)]


def reports_in_group(kind: str, key: str) -> list[SuspiciousReport]:
    return dao_suspicious_reports_in_group(kind, key)

"""The audit log page and its CSV: filters, paging, actor names and readable details.

The page verifies the chain from the last verified point only (portal/audit/chain.py), so a view costs
the events written since the previous one, not the whole log.
"""

import json
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from portal.audit.chain import ChainReport, record_audit, verify_chain
from portal.constants import AuditAction
from portal.core.csv_safety import CSV_BOM, csv_text, neutralise
from portal.dao.audit import AuditFilter, dao_count_audit_events, dao_iter_filtered_audit_events, dao_page_audit_events
from portal.dao.staff import dao_list_staff_users
from portal.extensions import db
from portal.models import AuditEvent

PER_PAGE = 50
# What an export may hold: a filtered question, not a copy of the whole log (that is a database backup).
MAX_EXPORT_ROWS = 100_000
# The kinds of thing events are about (the part of ``target`` before the colon).
TARGET_TYPES = (
    "person",
    "staff",
    "claim",
    "batch",
    "incident",
    "export",
    "template",
    "notification",
    "letter",
    "enrollment",
    "monitoring_product",
    "incident_update",
    "contractor",
)
NON_STAFF_ACTORS = ("cli", "system", "anonymous")


def audit_filter(actor="", action="", target_type="", target_id="", date_from=None, date_to=None) -> AuditFilter:
    """Dates are whole UTC days, both ends included."""
    start = datetime.combine(date_from, time.min, UTC) if date_from else None
    end = datetime.combine(date_to + timedelta(days=1), time.min, UTC) if date_to else None
    return AuditFilter(actor or "", action or "", target_type or "", (target_id or "").strip(), start, end)


def actor_names() -> dict[str, str]:
    """``staff:4`` → ``alex@example.org (admin)``, for every account, deactivated ones included."""
    return {f"staff:{u.id}": f"{u.email} ({u.role})" for u in dao_list_staff_users()}


def readable_details(details: str) -> list[tuple[str, str]]:
    """An event's JSON details as (name, value) pairs; text that is not a JSON object stays one value."""
    try:
        parsed = json.loads(details or "{}")
    except ValueError:
        return [("", details)]
    if not isinstance(parsed, dict):
        return [("", json.dumps(parsed))]
    return [(str(k), v if isinstance(v, str) else json.dumps(v, sort_keys=True)) for k, v in parsed.items()]


@dataclass(frozen=True)
class AuditPage:
    rows: list[AuditEvent]
    total: int
    page: int
    pages: int
    report: ChainReport


def audit_page(filters: AuditFilter, page: int) -> AuditPage:
    report = verify_chain()
    total = dao_count_audit_events(filters)
    rows = dao_page_audit_events(filters, (page - 1) * PER_PAGE, PER_PAGE)
    return AuditPage(rows, total, page, max(1, -(-total // PER_PAGE)), report)


CSV_HEADER = ("seq", "time_utc", "actor", "actor_name", "action", "target", "ip", "details", "key_id", "row_hash")


def export_csv(filters: AuditFilter) -> tuple[bytes, int] | None:
    """The filtered events as CSV (and how many), the export itself audited in the same
    transaction; None when more than MAX_EXPORT_ROWS match (narrow the filter)."""
    count = dao_count_audit_events(filters)
    if count > MAX_EXPORT_ROWS:
        return None
    names = actor_names()
    lines = [CSV_HEADER]
    for event in dao_iter_filtered_audit_events(filters):
        lines.append(
            (
                event.seq,
                event.at.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
                neutralise(event.actor),
                neutralise(names.get(event.actor, "")),
                event.action,
                neutralise(event.target),
                event.ip,
                neutralise(event.details),
                event.key_id,
                event.row_hash,
            )
        )
    body = (CSV_BOM + csv_text(lines)).encode("utf-8")
    record_audit(AuditAction.AUDIT_EXPORTED, "", {"filters": filters.described(), "rows": count})
    db.session.commit()
    return body, count

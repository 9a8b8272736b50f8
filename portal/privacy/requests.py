"""Data-protection requests: a verified contractor asks, legal decides within the legal deadline."""

from sqlalchemy.exc import IntegrityError

from portal.audit.chain import record_audit
from portal.constants import AuditAction, DataRequestKind, DataRequestStatus
from portal.core.time import utcnow, utctoday
from portal.dao.data_requests import (
    dao_add_data_request,
    dao_decide_data_request,
    dao_get_data_request,
)
from portal.extensions import db
from portal.models import DataRequest, Person
from portal.privacy.deadlines import response_deadline
from portal.privacy.erasure import delete_files, erase_person


class RequestAlreadyOpen(Exception):
    """The person already has an open request of this kind (a double click, a second tab)."""


class RequestAlreadyDecided(Exception):
    """Someone decided the request first; nothing was written."""


def make_request(person: Person, kind: str, details: str) -> DataRequest:
    deadline = response_deadline(person.country, person.region, utctoday())
    row = DataRequest(
        person_id=person.id,
        kind=str(DataRequestKind(kind)),
        status=DataRequestStatus.OPEN,
        open_slot="open",
        details=details.strip() if kind == DataRequestKind.CORRECTION else "",
        jurisdiction=deadline.jurisdiction,
        due_on=deadline.due_on,
        requested_at=utcnow(),
        decision_reason="",
    )
    try:
        dao_add_data_request(row)
        record_audit(
            AuditAction.DATA_REQUEST_MADE,
            f"data_request:{row.id}",
            {"kind": row.kind, "due_on": row.due_on, "jurisdiction": row.jurisdiction},
            actor=f"contractor:{person.uid}",
        )
        db.session.commit()
    except IntegrityError as exc:
        db.session.rollback()
        raise RequestAlreadyOpen(kind) from exc
    return row


def decide_request(request_id: int, staff, grant: bool, reason: str) -> DataRequest:
    """Grant or refuse, with the reason, in one transaction with its audit row (and, for an erasure
    granted, the erasure itself). Raises RequestAlreadyDecided if another click got there first."""
    row = dao_get_data_request(request_id)
    if row is None:
        raise LookupError(request_id)
    status = DataRequestStatus.GRANTED if grant else DataRequestStatus.REFUSED
    actor = f"staff:{staff.id}"
    if not dao_decide_data_request(request_id, status, staff.id, reason.strip(), utcnow()):
        db.session.rollback()
        raise RequestAlreadyDecided(request_id)
    files: list[str] = []
    if grant and row.kind == DataRequestKind.ERASURE:
        files = erase_person(row.person_id, actor)
    record_audit(
        AuditAction.DATA_REQUEST_DECIDED,
        f"data_request:{request_id}",
        {"kind": row.kind, "decision": str(status)},
        actor=actor,
    )
    db.session.commit()
    delete_files(files)
    db.session.refresh(row)
    return row

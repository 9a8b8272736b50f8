from datetime import datetime

from sqlalchemy import select, update

from portal.constants import DataRequestStatus
from portal.extensions import db
from portal.models import DataRequest, Person


def dao_add_data_request(row: DataRequest) -> None:
    db.session.add(row)
    db.session.flush()


def dao_data_requests_of_person(person_id: int) -> list[DataRequest]:
    return list(
        db.session.scalars(
            select(DataRequest).where(DataRequest.person_id == person_id).order_by(DataRequest.id.desc())
        )
    )


def dao_data_request_queue(open_only: bool) -> list[tuple[DataRequest, Person]]:
    query = select(DataRequest, Person).join(Person, Person.id == DataRequest.person_id)
    if open_only:
        query = query.where(DataRequest.status == DataRequestStatus.OPEN)
    rows = db.session.execute(query.order_by(DataRequest.due_on, DataRequest.id).limit(500))
    return [(request, person) for request, person in rows]


def dao_get_data_request(request_id: int) -> DataRequest | None:
    return db.session.get(DataRequest, request_id)


def dao_decide_data_request(request_id: int, status: str, staff_id: int, reason: str, at: datetime) -> bool:
    """One conditional UPDATE: of two clicks deciding the same open request, exactly one changes it."""
    result = db.session.execute(
        update(DataRequest)
        .where(DataRequest.id == request_id, DataRequest.status == DataRequestStatus.OPEN)
        .values(status=status, open_slot=None, decided_by_id=staff_id, decision_reason=reason, decided_at=at)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1

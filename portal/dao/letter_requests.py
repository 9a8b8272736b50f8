"""Requests for a notice by post, queued until an admin takes them into a letter file."""

from datetime import datetime

from sqlalchemy import literal_column, select, update

from portal.constants import LetterRequestStatus
from portal.dao.sql import upsert_insert
from portal.extensions import db
from portal.models import (
    LetterRequest,
    LetterRequestFile,
    Person,
)


def dao_queue_letter_request(person_id: int, source: str, now: datetime) -> bool:
    """Queue one letter for the person unless one is already waiting; True if this call queued it.

    One statement on the partial unique index ``uq_letter_request_queued``: two requests at the
    same moment (a double click, two agents, the post form) cannot both see "none waiting".
    The index's predicate is written as a literal: PostgreSQL picks the arbiter index by proving
    the statement's predicate implies the index's, which a parameter defeats once a prepared
    statement goes to a generic plan (psycopg prepares after a few runs on one connection), and
    from then on every request on that connection failed.
    """
    statement = (
        upsert_insert(LetterRequest)
        .values(person_id=person_id, source=source, status=LetterRequestStatus.QUEUED.value, created_at=now)
        .on_conflict_do_nothing(
            index_elements=[LetterRequest.person_id],
            index_where=LetterRequest.status == literal_column(f"'{LetterRequestStatus.QUEUED.value}'"),
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


def dao_get_letter_request_file(file_id: int) -> LetterRequestFile | None:
    return db.session.get(LetterRequestFile, file_id)


def dao_add_letter_request_file(letter_file: LetterRequestFile) -> None:
    db.session.add(letter_file)
    db.session.flush()  # its id goes on the requests it takes

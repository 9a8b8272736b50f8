"""Notice codes: the one-time codes a letter or message carries, stored only as their hash."""

from datetime import datetime

from sqlalchemy import insert, select, update

from portal.extensions import db
from portal.models import Incident, NoticeCode


def dao_get_live_notice_code(code_hash: str) -> NoticeCode | None:
    return db.session.scalar(
        select(NoticeCode).where(NoticeCode.code_hash == code_hash, NoticeCode.revoked_at.is_(None))
    )


def dao_add_notice_code(person_id: int, code_hash: str, source: str, incident_id: int | None = None) -> NoticeCode:
    row = NoticeCode(person_id=person_id, code_hash=code_hash, source=source, incident_id=incident_id)
    db.session.add(row)
    return row


def dao_revoke_notice_codes_older_than(code: NoticeCode, at: datetime) -> None:
    """Using a newer code retires the older ones, so a stolen letter stops working."""
    db.session.execute(
        update(NoticeCode)
        .where(NoticeCode.person_id == code.person_id, NoticeCode.id < code.id, NoticeCode.revoked_at.is_(None))
        .values(revoked_at=at)
    )


def dao_get_notice_codes_with_incidents(person_id: int) -> list[tuple[NoticeCode, Incident | None]]:
    rows = db.session.execute(
        select(NoticeCode, Incident)
        .outerjoin(Incident, Incident.id == NoticeCode.incident_id)
        .where(NoticeCode.person_id == person_id)
        .order_by(NoticeCode.created_at.desc(), NoticeCode.id.desc())
    )
    return [(code, incident) for code, incident in rows]


def dao_notice_code_facts(code_hash: str) -> tuple[int, int, str, datetime, datetime | None] | None:
    """(code id, person id, source, created_at, revoked_at) of the code with this hash, live or not."""
    row = db.session.execute(
        select(NoticeCode.id, NoticeCode.person_id, NoticeCode.source, NoticeCode.created_at, NoticeCode.revoked_at)
        .where(NoticeCode.code_hash == code_hash)
        .limit(1)
    ).first()
    return tuple(row) if row else None


def dao_add_notice_codes(rows: list[dict]) -> list[int]:
    """Insert NoticeCode rows (person_id, incident_id, code_hash, source, created_at); their ids in order.

    Row by row on SQLite. The sending engine issues its codes in ``dao_claim_with_codes``, the register
    import in ``dao_add_imported_notice_codes``; this is for the letter files.
    """
    result = db.session.execute(insert(NoticeCode).returning(NoticeCode.id, sort_by_parameter_order=True), rows)
    return [row[0] for row in result]


def dao_delete_notice_codes(code_hashes: list[str]) -> None:
    """Codes issued for rows another sender claimed first: never mailed, never linked, so gone."""
    codes = NoticeCode.__table__
    db.session.connection().execute(codes.delete().where(codes.c.code_hash.in_(code_hashes)))

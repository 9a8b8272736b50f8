"""What the letter vendor reports: notices it sent outside the portal, and letters that came back."""

from datetime import date

from sqlalchemy import select

from portal.extensions import db
from portal.models import OutsideNotice, ReturnedLetter


def dao_get_outside_notice_keys(incident_id: int) -> set[tuple[int, str, date]]:
    """(person id, channel, sent on) of every outside notice of the incident: what an import already added."""
    statement = select(OutsideNotice.person_id, OutsideNotice.channel, OutsideNotice.sent_on).where(
        OutsideNotice.incident_id == incident_id
    )
    return {tuple(row) for row in db.session.execute(statement)}


def dao_add_outside_notices(rows: list[OutsideNotice]) -> None:
    db.session.add_all(rows)


def dao_get_returned_letter_keys(incident_id: int) -> set[tuple[int, date]]:
    """(person id, returned on) of every returned letter of the incident."""
    statement = select(ReturnedLetter.person_id, ReturnedLetter.returned_on).where(
        ReturnedLetter.incident_id == incident_id
    )
    return {tuple(row) for row in db.session.execute(statement)}


def dao_add_returned_letters(rows: list[ReturnedLetter]) -> None:
    db.session.add_all(rows)

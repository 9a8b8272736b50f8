"""Queries for regulator filings (portal/legal/filings.py)."""

from sqlalchemy import select

from portal.extensions import db
from portal.models import RegulatorFiling


def dao_get_filings_for_incident(incident_id: int) -> dict[tuple[str, str], RegulatorFiling]:
    """(jurisdiction code, who) → the filing recorded for it."""
    filings = db.session.scalars(select(RegulatorFiling).where(RegulatorFiling.incident_id == incident_id))
    return {(filing.jurisdiction, filing.who): filing for filing in filings}


def dao_get_filing(incident_id: int, jurisdiction: str, who: str) -> RegulatorFiling | None:
    return db.session.scalar(
        select(RegulatorFiling).where(
            RegulatorFiling.incident_id == incident_id,
            RegulatorFiling.jurisdiction == jurisdiction,
            RegulatorFiling.who == who,
        )
    )


def dao_add_filing(filing: RegulatorFiling) -> None:
    db.session.add(filing)


def dao_delete_filing(filing: RegulatorFiling) -> None:
    db.session.delete(filing)

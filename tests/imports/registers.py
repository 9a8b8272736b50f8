"""Building register files for the import tests."""

import csv
from pathlib import Path

from sqlalchemy import func, select

from portal.extensions import db
from portal.models import AuditEvent, Exposure, NoticeCode, Person

PEOPLE_HEADER = [
    "contractor_id",
    "first_name",
    "last_name",
    "email",
    "phone",
    "country",
    "region",
    "address_line1",
    "address_line2",
    "city",
    "postal_code",
    "date_of_birth",
    "national_id_last4",
    "preferred_language",
    "notice_code",
]
EXPOSURES_HEADER = ["contractor_id", "category", "detail", "exposed_at"]
CODE_AMINA = "7KQ4-M2XD-9TRA"


def person(contractor_id="C-1001", **overrides) -> dict:
    row = {
        "contractor_id": contractor_id,
        "first_name": "Amina",
        "last_name": "Okafor",
        "email": f"{contractor_id.lower()}@example.org",
        "phone": "+254 700 123456",
        "country": "KE",
        "region": "KE-30",
        "address_line1": "14 Moi Avenue",
        "address_line2": "Flat 3",
        "city": "Nairobi",
        "postal_code": "00100",
        "date_of_birth": "1990-03-27",
        "national_id_last4": "4410",
        "preferred_language": "sw",
        "notice_code": "",
    }
    row.update(overrides)
    return row


def write_people(path: Path, rows: list[dict], header=PEOPLE_HEADER, encoding="utf-8") -> Path:
    with path.open("w", newline="", encoding=encoding) as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for row in rows:
            writer.writerow([row.get(column, "") for column in header])
    return path


def write_exposures(path: Path, rows: list[tuple], header=EXPOSURES_HEADER) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def table_counts() -> dict[str, int]:
    """Rows per table the import writes to: equal before and after means a rejected import left no trace."""
    return {
        model.__tablename__: db.session.scalar(select(func.count()).select_from(model))
        for model in (Person, Exposure, NoticeCode, AuditEvent)
    }

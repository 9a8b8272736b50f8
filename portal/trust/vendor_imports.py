"""What the letter vendor reports, imported whole or not at all, with each problem's line number:

* notices sent outside the portal: ``contractor_id, channel, sent_on`` (the vendor mailed the first
  notices before the portal existed), so the declaration and the regulator report count them;
* returned letters: ``contractor_id, returned_on, reason``, so the declaration counts them as
  undeliverable, and the people become an audience for re-mailing once their address is updated.

Importing the same file again adds nothing (each row is unique per person and date).
"""

import csv
import hashlib
import io
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _

from portal.audit.chain import record_audit
from portal.constants import Channel
from portal.core.time import utctoday
from portal.dao.exposures import dao_find_contractor_ids_in_incident
from portal.dao.people import dao_get_person_ids_by_contractor_ids
from portal.dao.vendor_records import (
    dao_add_outside_notices,
    dao_add_returned_letters,
    dao_get_outside_notice_keys,
    dao_get_returned_letter_keys,
)
from portal.extensions import db
from portal.models import Incident, OutsideNotice, ReturnedLetter

NOTICE_COLUMNS = ("contractor_id", "channel", "sent_on")
RETURN_COLUMNS = ("contractor_id", "returned_on", "reason")
MAX_ROWS = 2_000_000
AUDIT_OUTSIDE_NOTICES = "outside_notices.imported"  # details: rows, added, file SHA-256
AUDIT_RETURNED_LETTERS = "returned_letters.imported"


class VendorImportRejected(ValueError):
    def __init__(self, problems: list[str]):
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = problems


@dataclass(frozen=True)
class VendorImportReport:
    rows: int
    added: int
    sha256: str


def _rows(data: bytes, columns: tuple[str, ...]) -> list[tuple[int, list[str]]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise VendorImportRejected([_("The file must be a CSV file saved as UTF-8 text.")]) from exc
    reader = csv.reader(io.StringIO(text))
    try:
        header = [cell.strip().lower() for cell in next(reader, [])]
        if tuple(header) != columns:
            raise VendorImportRejected(
                [_("Line 1: the columns must be %(expected)s, in this order", expected=", ".join(columns))]
            )
        rows = [(reader.line_num, [cell.strip() for cell in row]) for row in reader if any(c.strip() for c in row)]
    except csv.Error as exc:
        raise VendorImportRejected([_("The file is not a readable CSV file: %(reason)s", reason=str(exc))]) from exc
    if not rows:
        raise VendorImportRejected([_("The file has no rows after its header.")])
    if len(rows) > MAX_ROWS:
        raise VendorImportRejected([_("The file has more than %(n)d rows; split it.", n=MAX_ROWS)])
    return rows


def _date(text: str, line: int, column: str, problems: list[str]) -> date | None:
    try:
        value = date.fromisoformat(text)
    except ValueError:
        problems.append(_("Line %(line)d: %(column)s must be a date like 2026-10-31", line=line, column=column))
        return None
    if value > utctoday():
        problems.append(_("Line %(line)d: %(column)s is in the future", line=line, column=column))
        return None
    return value


def _people(rows, incident: Incident, problems: list[str]) -> dict[str, int]:
    ids = list(dict.fromkeys(cells[0] for _line, cells in rows if cells and cells[0]))
    found = dao_find_contractor_ids_in_incident(ids, incident.id)
    for line, cells in rows:
        contractor_id = cells[0] if cells else ""
        if not contractor_id:
            problems.append(_("Line %(line)d: there is no contractor ID", line=line))
        elif contractor_id not in found:
            problems.append(
                _("Line %(line)d: there is no contractor with ID %(id)s in the register", line=line, id=contractor_id)
            )
        elif not found[contractor_id]:
            problems.append(
                _("Line %(line)d: contractor %(id)s is not affected by this incident", line=line, id=contractor_id)
            )
    wanted = [contractor_id for contractor_id, in_incident in found.items() if in_incident]
    return dao_get_person_ids_by_contractor_ids(wanted)


def import_outside_notices(incident: Incident, data: bytes, actor: str | None = None) -> VendorImportReport:
    rows = _rows(data, NOTICE_COLUMNS)
    problems: list[str] = []
    person_ids = _people(rows, incident, problems)
    wanted: set[tuple[int, str, date]] = set()
    for line, cells in rows:
        if len(cells) != len(NOTICE_COLUMNS):
            problems.append(_("Line %(line)d: expected %(n)d columns", line=line, n=len(NOTICE_COLUMNS)))
            continue
        contractor_id, channel, sent = cells
        if channel.lower() not in (Channel.LETTER, Channel.EMAIL):
            problems.append(
                _("Line %(line)d: channel must be letter or email, not %(value)s", line=line, value=channel[:20])
            )
        sent_on = _date(sent, line, "sent_on", problems)
        if contractor_id in person_ids and sent_on and channel.lower() in (Channel.LETTER, Channel.EMAIL):
            wanted.add((person_ids[contractor_id], channel.lower(), sent_on))
    if problems:
        raise VendorImportRejected(problems)
    digest = hashlib.sha256(data).hexdigest()
    new = sorted(wanted - dao_get_outside_notice_keys(incident.id))
    dao_add_outside_notices(
        [
            OutsideNotice(incident_id=incident.id, person_id=p, channel=c, sent_on=d, import_sha256=digest)
            for p, c, d in new
        ]
    )
    details = {"rows": len(rows), "added": len(new), "sha256": digest}
    record_audit(AUDIT_OUTSIDE_NOTICES, f"incident:{incident.id}", details, actor=actor)
    db.session.commit()
    return VendorImportReport(len(rows), len(new), digest)


def import_returned_letters(incident: Incident, data: bytes, actor: str | None = None) -> VendorImportReport:
    rows = _rows(data, RETURN_COLUMNS)
    problems: list[str] = []
    person_ids = _people(rows, incident, problems)
    wanted: dict[tuple[int, date], str] = {}
    for line, cells in rows:
        if len(cells) != len(RETURN_COLUMNS):
            problems.append(_("Line %(line)d: expected %(n)d columns", line=line, n=len(RETURN_COLUMNS)))
            continue
        contractor_id, returned, reason = cells
        returned_on = _date(returned, line, "returned_on", problems)
        if len(reason) > 200:
            problems.append(_("Line %(line)d: the reason is longer than 200 characters", line=line))
        if contractor_id in person_ids and returned_on:
            wanted.setdefault((person_ids[contractor_id], returned_on), reason[:200])
    if problems:
        raise VendorImportRejected(problems)
    digest = hashlib.sha256(data).hexdigest()
    existing = dao_get_returned_letter_keys(incident.id)
    new = sorted(key for key in wanted if key not in existing)
    dao_add_returned_letters(
        [
            ReturnedLetter(
                incident_id=incident.id, person_id=p, returned_on=d, reason=wanted[(p, d)], import_sha256=digest
            )
            for p, d in new
        ]
    )
    record_audit(
        AUDIT_RETURNED_LETTERS,
        f"incident:{incident.id}",
        {"rows": len(rows), "added": len(new), "sha256": digest},
        actor=actor,
    )
    db.session.commit()
    return VendorImportReport(len(rows), len(new), digest)

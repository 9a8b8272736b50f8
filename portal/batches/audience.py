"""Who a batch goes to: a saved filter or an uploaded list, stored as JSON in ``batch.audience``.

``audience_query`` is the ONE place an audience becomes SQL (portal/dao/audience.py builds it). The
count on the batch page, the row-by-row preview and the freeze at approval all use it, so the number
the approver reads is the number of notifications written. Nothing is resolved to people until
then: a filter saved on Monday and approved on Tuesday includes the people imported in between,
and the count says so.
"""

import csv
import io
import json
from dataclasses import asdict, dataclass, field

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy.sql import Select

from portal.batches.reminders import REMINDER_LABELS
from portal.constants import AudienceKind
from portal.core.taxonomy import load_taxonomy
from portal.dao.audience import DEFAULT_LANGUAGE, audience_select
from portal.dao.exposures import dao_find_contractor_ids_in_incident
from portal.models import Batch

MAX_LIST_IDS = 1_000_000


@dataclass(frozen=True)
class Audience:
    """A saved filter (every list empty and no flag set = everyone affected by the incident) or a list."""

    kind: str = AudienceKind.FILTER
    countries: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    never_notified: bool = False
    last_bounced: bool = False
    reminder: str = ""  # a reminder audience (portal/batches/reminders.py), or none
    contractor_ids: tuple[str, ...] = field(default=(), repr=False)

    def to_json(self) -> str:
        values = {key: list(value) if isinstance(value, tuple) else value for key, value in asdict(self).items()}
        return json.dumps(values, sort_keys=True, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str | None) -> "Audience":
        raw = json.loads(text or "{}")
        known = {name: raw[name] for name in cls.__dataclass_fields__ if name in raw}
        return cls(**{key: tuple(value) if isinstance(value, list) else value for key, value in known.items()})

    def describe(self) -> list[str]:
        """The audience in words, one condition a line, for the batch and approval pages."""
        if self.kind == AudienceKind.LIST:
            return [
                ngettext(
                    "An uploaded list of %(num)d contractor ID",
                    "An uploaded list of %(num)d contractor IDs",
                    len(self.contractor_ids),
                )
            ]
        taxonomy = load_taxonomy()
        lines = []
        if self.countries:
            lines.append(_("Country: %(values)s", values=", ".join(self.countries)))
        if self.regions:
            lines.append(_("Region: %(values)s", values=", ".join(self.regions)))
        if self.categories:
            titles = [_(taxonomy[c].title) if c in taxonomy else c for c in self.categories]
            lines.append(_("Had any of these exposed: %(values)s", values=", ".join(titles)))
        if self.languages:
            lines.append(_("Preferred language: %(values)s", values=", ".join(self.languages)))
        if self.never_notified:
            lines.append(_("Never notified about this incident"))
        if self.last_bounced:
            lines.append(_("Their last notice about this incident bounced"))
        if self.reminder in REMINDER_LABELS:
            lines.append(_("Reminder: %(who)s", who=REMINDER_LABELS[self.reminder]))
        return lines or [_("Everyone affected by the incident")]


def batch_audience(batch: Batch) -> Audience:
    return Audience.from_json(batch.audience)


def audience_query(batch: Batch, *columns) -> Select:
    """SELECT ``columns`` FROM person for everyone in the batch's audience (no order: add one to page)."""
    return audience_select(batch.incident_id, batch.channel, batch_audience(batch), *columns)


def language_for(preferred: str, template_languages: list[str]) -> str:
    """The same choice as ``recipient_language``, for one person in Python (previews, tests)."""
    base = (preferred or "").lower().replace("_", "-").split("-")[0]
    return base if base in template_languages else DEFAULT_LANGUAGE


class AudienceUploadError(ValueError):
    """An uploaded list was refused; ``problems`` name the line of each bad row."""

    def __init__(self, problems: list[str]):
        super().__init__(f"{len(problems)} problem(s) in the uploaded list")
        self.problems = problems


def _read_ids(text: str) -> tuple[dict[str, int], list[str]]:
    """contractor id → the line it is first on, and the problems found reading the file."""
    reader = csv.reader(io.StringIO(text))
    first_line: dict[str, int] = {}
    problems: list[str] = []
    column = 0
    for row in reader:
        cells = [cell.strip() for cell in row]
        if not any(cells):
            continue
        lowered = [cell.lower() for cell in cells]
        if reader.line_num == 1 and "contractor_id" in lowered:
            column = lowered.index("contractor_id")
            continue
        value = cells[column] if column < len(cells) else ""
        if not value:
            problems.append(_("Line %(line)d: there is no contractor ID", line=reader.line_num))
        elif len(first_line) >= MAX_LIST_IDS:
            problems.append(
                _("The file has more than %(n)d contractor IDs; split it into several batches.", n=MAX_LIST_IDS)
            )
            break
        else:
            first_line.setdefault(value, reader.line_num)
    return first_line, problems


def parse_contractor_ids(data: bytes, incident_id: int) -> Audience:
    """An uploaded CSV of contractor ids (one a line, or a ``contractor_id`` column) as a list audience.

    Every id must be in the register and affected by the incident; otherwise nothing is saved and
    each bad id is reported with its line number. A repeated id is counted once.
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise AudienceUploadError([_("The file must be a CSV file saved as UTF-8 text.")]) from exc
    try:
        first_line, problems = _read_ids(text)
    except csv.Error as exc:
        raise AudienceUploadError([_("The file is not a readable CSV file: %(reason)s", reason=str(exc))]) from exc
    found = dao_find_contractor_ids_in_incident(list(first_line), incident_id)
    for contractor_id, line in first_line.items():
        if contractor_id not in found:
            problems.append(
                _("Line %(line)d: there is no contractor with ID %(id)s in the register", line=line, id=contractor_id)
            )
        elif not found[contractor_id]:
            problems.append(
                _("Line %(line)d: contractor %(id)s is not affected by this incident", line=line, id=contractor_id)
            )
    if not first_line and not problems:
        problems.append(_("The file has no contractor IDs in it."))
    if problems:
        raise AudienceUploadError(problems)
    return Audience(kind=AudienceKind.LIST, contractor_ids=tuple(first_line))

"""An export's filters in words, for the export page (the manifest keeps them as JSON, for machines)."""

from datetime import date

from flask_babel import format_date
from flask_babel import gettext as _

from portal.claims.status import staff_status_words
from portal.constants import ExportKind
from portal.dao.claimant_exports import FRAUD_ANY, FRAUD_NONE
from portal.dao.incidents import dao_get_incident
from portal.legal.exports import ExportFilters


def _day(text: str) -> str:
    return format_date(date.fromisoformat(text), "long")


def _fraud_words(fraud: str) -> str:
    if fraud == FRAUD_ANY:
        return _("with any fraud signal")
    if fraud == FRAUD_NONE:
        return _("with no fraud signal")
    return fraud.replace("_", " ")


def _submitted_words(start: str, end: str) -> list[str]:
    if start and end:
        return [_("Submitted from %(start)s to %(end)s", start=_day(start), end=_day(end))]
    if start:
        return [_("Submitted on or after %(date)s", date=_day(start))]
    if end:
        return [_("Submitted on or before %(date)s", date=_day(end))]
    return []


def _incident_words(incident_id: int | None) -> list[str]:
    if not incident_id:
        return []
    incident = dao_get_incident(incident_id)
    return [_("Incident: %(title)s", title=incident.title if incident else f"#{incident_id}")]


def describe_filters(raw: dict, kind: str) -> list[str]:
    """One line a filter, in the order of the export form; ``raw`` is the manifest's ``filters``."""
    filters = ExportFilters.from_json_dict(raw)
    statuses = ", ".join(str(staff_status_words(status)) for status in filters.statuses)
    optional = (
        (statuses, lambda: _("Claim status: %(statuses)s", statuses=statuses)),
        (filters.benefit, lambda: _("Benefit claimed: %(benefit)s", benefit=filters.benefit.replace("_", " "))),
        (filters.country, lambda: _("Country: %(code)s", code=filters.country.upper())),
        (filters.region, lambda: _("Region: %(code)s", code=filters.region.upper())),
        (filters.fraud, lambda: _("Fraud signals: %(which)s", which=_fraud_words(filters.fraud))),
    )
    lines = _incident_words(filters.incident_id) + [words() for value, words in optional if value]
    lines += _submitted_words(filters.submitted_from, filters.submitted_to)
    if filters.include_withdrawn:
        lines.append(_("Withdrawn exclusion requests included"))
    if lines:
        return lines
    if kind == ExportKind.EXCLUSIONS:
        return [_("None: every exclusion request still standing")]
    return [_("None: every claim except drafts")]

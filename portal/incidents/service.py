"""Creating and editing incidents: one set of rules for the staff pages and the CLI."""

import re
from datetime import date

from flask_babel import lazy_gettext as _l

from portal.audit.chain import record_audit
from portal.constants import AuditAction
from portal.dao.incidents import (
    dao_add_incident,
    dao_get_all_incidents,
    dao_get_incident,
    dao_get_incident_by_slug,
)
from portal.extensions import db
from portal.models import Incident

# Lowercase letters and digits in dash-separated words: safe in URLs, file names and templates.
SLUG_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
SLUG_MAX_LENGTH = 64
MAX_MONITORING_MONTHS = 120
EDITABLE_FIELDS = (
    "title",
    "what_happened",
    "what_we_are_doing",
    "discovered_on",
    "occurred_on",
    "claim_deadline",
    "enrollment_deadline",
    "monitoring_months",
    "contact_email",
    "contact_phone",
    "contact_hours",
    "published",
)
DEFAULTS = {
    "what_happened": "",
    "what_we_are_doing": "",
    "occurred_on": None,
    "claim_deadline": None,
    "enrollment_deadline": None,
    "monitoring_months": 0,
    "contact_email": "",
    "contact_phone": "",
    "contact_hours": "",
    "published": True,
}


class IncidentError(ValueError):
    """The values cannot be saved. ``problems`` maps each field name to what is wrong with it."""

    def __init__(self, problems: dict[str, str]):
        self.problems = problems
        super().__init__("; ".join(str(message) for message in problems.values()))


def slug_problem(slug: str) -> str | None:
    if not slug:
        return _l("Enter a slug")
    if len(slug) > SLUG_MAX_LENGTH or not SLUG_PATTERN.fullmatch(slug):
        return _l(
            "The slug must be lowercase letters, digits and single dashes (for example vendor-breach-2026), "
            "at most %(max)d characters",
            max=SLUG_MAX_LENGTH,
        )
    if dao_get_incident_by_slug(slug) is not None:
        return _l("An incident with the slug %(slug)s already exists", slug=slug)
    return None


def _date_problems(values: dict) -> dict[str, str]:
    discovered: date | None = values.get("discovered_on")
    if discovered is None:
        return {"discovered_on": _l("Enter the date the breach was discovered")}
    problems = {}
    occurred = values.get("occurred_on")
    if occurred is not None and occurred > discovered:
        problems["occurred_on"] = _l("The date it happened must be on or before the date it was discovered")
    for name, message in (
        ("claim_deadline", _l("The claim deadline must be after the date the breach was discovered")),
        ("enrollment_deadline", _l("The enrollment deadline must be after the date the breach was discovered")),
    ):
        deadline = values.get(name)
        if deadline is not None and deadline <= discovered:
            problems[name] = message
    return problems


def incident_problems(values: dict) -> dict[str, str]:
    """Everything wrong with these field values, by field name (empty if they can be saved)."""
    problems = _date_problems(values)
    title = (values.get("title") or "").strip()
    if not title:
        problems["title"] = _l("Enter a title")
    elif len(title) > 200:
        problems["title"] = _l("The title must be at most 200 characters")
    months = values.get("monitoring_months", 0)
    if not isinstance(months, int) or not 0 <= months <= MAX_MONITORING_MONTHS:
        problems["monitoring_months"] = _l(
            "Months of monitoring must be a whole number from 0 to %(max)d", max=MAX_MONITORING_MONTHS
        )
    email = values.get("contact_email") or ""
    if email and ("@" not in email or len(email) > 254):
        problems["contact_email"] = _l("Enter the contact email address like help@example.org")
    return problems


def create_incident(slug: str, values: dict) -> Incident:
    """Create an incident (published unless ``values`` say otherwise). Audited."""
    values = {**DEFAULTS, **values}
    problems = incident_problems(values)
    slug = slug.strip()
    if problem := slug_problem(slug):
        problems = {"slug": problem, **problems}
    if problems:
        raise IncidentError(problems)
    incident = Incident(slug=slug, **{name: values[name] for name in EDITABLE_FIELDS})
    incident.title = incident.title.strip()
    dao_add_incident(incident)
    record_audit(
        AuditAction.INCIDENT_CREATED, f"incident:{incident.id}", {"slug": slug, "published": incident.published}
    )
    db.session.commit()
    return incident


def update_incident(incident: Incident, values: dict) -> list[str]:
    """Save the edited fields; returns the names of those that changed. Audited with those names."""
    merged = {name: getattr(incident, name) for name in EDITABLE_FIELDS} | values
    problems = incident_problems(merged)
    if problems:
        raise IncidentError(problems)
    merged["title"] = merged["title"].strip()
    changed = [name for name in EDITABLE_FIELDS if getattr(incident, name) != merged[name]]
    if not changed:
        return []
    for name in changed:
        setattr(incident, name, merged[name])
    record_audit(AuditAction.INCIDENT_UPDATED, f"incident:{incident.id}", {"changed": changed})
    db.session.commit()
    return changed


def list_incidents() -> list[Incident]:
    return dao_get_all_incidents()


def get_incident(incident_id: int) -> Incident | None:
    return dao_get_incident(incident_id)

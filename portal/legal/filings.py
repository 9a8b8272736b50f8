"""Regulator filings: legal staff record that an attorney general, a regulator or the credit
bureaus were told about an incident, so the regulator report can say so instead of counting down.

A filing names one obligation of the rules file (a jurisdiction's ``also_notify`` entry, by its
``who``); one per incident and obligation, recorded again to correct it. Every change is audited.
"""

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _

from portal.audit.chain import record_audit
from portal.constants import AuditAction
from portal.core.time import utcnow, utctoday
from portal.dao.regulator_filings import dao_add_filing, dao_delete_filing, dao_get_filing
from portal.extensions import db
from portal.legal.jurisdictions import AlsoNotify, Jurisdiction, Rules, load_rules
from portal.models import Incident, RegulatorFiling


class FilingError(ValueError):
    """What is wrong with a filing, in words for the person recording it."""


@dataclass(frozen=True)
class FilingTarget:
    jurisdiction: Jurisdiction
    obligation: AlsoNotify


def filing_target(code: str, who: str, rules: Rules | None = None) -> FilingTarget | None:
    """The jurisdiction and obligation (``also_notify`` entry) a filing is for; None if the rules
    file has no such obligation."""
    jurisdiction = (rules or load_rules()).get(code)
    if jurisdiction is None:
        return None
    for obligation in jurisdiction.also_notify:
        if obligation.who == who:
            return FilingTarget(jurisdiction, obligation)
    return None


def _target(code: str, who: str) -> FilingTarget:
    target = filing_target(code, who)
    if target is None:
        raise FilingError(_("The rules file has no such notice for %(code)s.", code=code))
    return target


def record_filing(
    incident: Incident,
    code: str,
    who: str,
    filed_on: date,
    reference: str,
    note: str,
    staff_id: int,
    today: date | None = None,
) -> RegulatorFiling:
    """Record (or correct) the filing and commit; FilingError if the rules file has no such
    obligation or the date cannot be right."""
    _target(code, who)
    today = today or utctoday()
    if filed_on > today:
        raise FilingError(_("The date it was sent cannot be in the future."))
    if filed_on < incident.discovered_on:
        raise FilingError(
            _(
                "The date it was sent cannot be before the incident was discovered (%(date)s).",
                date=incident.discovered_on.isoformat(),
            )
        )
    filing = dao_get_filing(incident.id, code, who)
    replaced = filing is not None
    if filing is None:
        filing = RegulatorFiling(incident_id=incident.id, jurisdiction=code, who=who)
        dao_add_filing(filing)
    filing.filed_on, filing.reference, filing.note = filed_on, reference.strip(), note.strip()
    filing.recorded_by_id, filing.recorded_at = staff_id, utcnow()
    record_audit(AuditAction.REGULATOR_FILING_RECORDED, f"incident:{incident.id}", {
        "jurisdiction": code, "who": who, "filed_on": filed_on.isoformat(), "reference": filing.reference,
        "replaced": replaced,
    })  # fmt: skip
    db.session.commit()
    return filing


def remove_filing(incident: Incident, code: str, who: str) -> bool:
    """Remove a filing recorded by mistake (audited); False if there was none."""
    filing = dao_get_filing(incident.id, code, who)
    if filing is None:
        return False
    record_audit(AuditAction.REGULATOR_FILING_REMOVED, f"incident:{incident.id}", {
        "jurisdiction": code, "who": who, "filed_on": filing.filed_on.isoformat(), "reference": filing.reference,
    })  # fmt: skip
    dao_delete_filing(filing)
    db.session.commit()
    return True

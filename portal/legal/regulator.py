"""The regulator report: for one incident, straight from the register, per jurisdiction —
how many residents, which thresholds are crossed, when each notice is due, whether residents have
been told, whether the attorneys general, regulators and bureaus have been (as legal staff recorded
it: portal/legal/filings.py), and how many months of monitoring are owed.

It reads only counts (no names) and the rules file. ``today`` is a parameter so the deadline
arithmetic can be tested against fixed dates.
"""

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from portal.core.csv_safety import CsvLines, neutralise
from portal.core.time import utctoday
from portal.dao.register_outcomes import dao_count_residents_by_place
from portal.dao.regulator_filings import dao_get_filings_for_incident
from portal.legal.jurisdictions import AlsoNotify, Deadline, Jurisdiction, Rules, load_rules
from portal.models import Incident, RegulatorFiling


class DeadlineState(StrEnum):
    """Where a notice (to residents, or a filing) stands; also the CSV's state columns."""

    DONE = "done"  # every resident notified
    FILED = "filed"  # legal staff recorded the filing
    NOT_REQUIRED = "not_required"  # below the threshold
    OVERDUE = "overdue"
    DUE = "due"
    NO_FIXED_DEADLINE = "no_fixed_deadline"  # the law sets a standard ("without unreasonable delay"), not a date
    NO_RULES = "no_rules"  # a place the rules file does not cover


@dataclass
class Due:
    """A deadline applied to this incident."""

    text: str
    on: date | None = None
    days_left: int | None = None  # negative: overdue by that many days

    @property
    def overdue(self) -> bool:
        return self.days_left is not None and self.days_left < 0

    @classmethod
    def of(cls, deadline: Deadline, start: date, today: date) -> "Due":
        if deadline.starts != "discovery":
            return cls(deadline.describe())
        on = deadline.due_on(start)
        return cls(deadline.describe(), on, (on - today).days if on else None)


@dataclass
class Obligation:
    rule: AlsoNotify
    residents: int
    due: Due
    filing: RegulatorFiling | None = None

    @property
    def required(self) -> bool:
        return self.residents >= self.rule.min_residents

    @property
    def state(self) -> DeadlineState:
        if self.filing is not None:
            return DeadlineState.FILED
        if not self.required:
            return DeadlineState.NOT_REQUIRED
        if self.due.days_left is None:
            return DeadlineState.NO_FIXED_DEADLINE
        return DeadlineState.OVERDUE if self.due.overdue else DeadlineState.DUE


@dataclass
class JurisdictionLine:
    jurisdiction: Jurisdiction
    residents: int = 0
    notified: int = 0
    monitoring_people: int = 0  # residents with a category that makes monitoring owed
    due: Due | None = None
    obligations: list[Obligation] = field(default_factory=list)

    @property
    def outstanding(self) -> int:
        return self.residents - self.notified

    @property
    def state(self) -> DeadlineState:
        """Of the notice to residents: done, overdue, due or no_fixed_deadline."""
        if self.outstanding <= 0:
            return DeadlineState.DONE
        if self.due is None or self.due.days_left is None:
            return DeadlineState.NO_FIXED_DEADLINE
        return DeadlineState.OVERDUE if self.due.overdue else DeadlineState.DUE

    @property
    def overdue(self) -> bool:
        """The residents' notice or a required filing is late."""
        late = DeadlineState.OVERDUE
        return self.state == late or any(ob.state == late for ob in self.obligations)

    @property
    def monitoring_months(self) -> int:
        monitoring = self.jurisdiction.monitoring
        return monitoring.months if monitoring and self.monitoring_people else 0


@dataclass
class RegulatorReport:
    incident: Incident
    today: date
    rules_reviewed_on: date
    lines: list[JurisdictionLine]
    uncovered: list[tuple[str, int]]  # places with residents but no rules on file

    @property
    def monitoring_months_owed(self) -> int:
        return max((line.monitoring_months for line in self.lines), default=0)


def _category_sets(rules: Rules) -> list[tuple[str, ...]]:
    sets = {
        tuple(sorted(j.monitoring.when_categories))
        for j in rules.jurisdictions.values()
        if j.monitoring and j.monitoring.when_categories
    }
    return sorted(sets)


def regulator_report(incident: Incident, today: date | None = None, rules: Rules | None = None) -> RegulatorReport:
    rules = rules or load_rules()
    today = today or utctoday()
    category_sets = _category_sets(rules)
    lines: dict[str, JurisdictionLine] = {}
    uncovered: dict[str, int] = {}
    for country, region, residents, notified, *with_categories in dao_count_residents_by_place(
        incident.id, category_sets
    ):
        matches = rules.for_place(country, region)
        if not matches:
            # US law is by state; elsewhere the country is what counsel look up.
            place = (region or "US (no region)") if country == "US" else (country or "unknown")
            uncovered[place] = uncovered.get(place, 0) + residents
        for jurisdiction in matches:
            line = lines.setdefault(jurisdiction.code, JurisdictionLine(jurisdiction))
            line.residents += residents
            line.notified += notified
            if jurisdiction.monitoring and jurisdiction.monitoring.when_categories:
                key = tuple(sorted(jurisdiction.monitoring.when_categories))
                line.monitoring_people += with_categories[category_sets.index(key)]
    filings = dao_get_filings_for_incident(incident.id)
    for line in lines.values():
        j = line.jurisdiction
        line.due = Due.of(j.notice_deadline, incident.discovered_on, today)
        line.obligations = [
            Obligation(
                rule,
                line.residents,
                Due.of(rule.deadline, incident.discovered_on, today),
                filings.get((j.code, rule.who)),
            )
            for rule in j.also_notify
        ]
    ordered = sorted(lines.values(), key=lambda line: (not line.overdue, line.jurisdiction.code))
    return RegulatorReport(incident, today, rules.reviewed_on, ordered, sorted(uncovered.items()))


def _due_text(due: Due | None) -> str:
    if due is None or due.on is None:
        return due.text if due else ""
    return due.on.isoformat()


def _filing_cells(obligation: Obligation | None) -> tuple[str, str, str]:
    """filing_state, filed_on, filing_reference (the reference neutralised: legal staff typed it)."""
    if obligation is None:
        return ("", "", "")
    filing = obligation.filing
    if filing is None:
        return (obligation.state, "", "")
    return (obligation.state, filing.filed_on.isoformat(), neutralise(filing.reference))


def regulator_csv(report: RegulatorReport) -> str:
    writer = CsvLines()
    writer.writerow(
        [
            "jurisdiction",
            "name",
            "residents",
            "notified",
            "outstanding",
            "notice_deadline",
            "notice_due_on",
            "days_left",
            "state",
            "also_notify",
            "threshold",
            "required",
            "due",
            "filing_state",
            "filed_on",
            "filing_reference",
            "monitoring_months_owed",
            "monitoring_residents",
            "unverified_facts",
            "law",
        ]
    )
    for line in report.lines:
        obligations = line.obligations or [None]
        for obligation in obligations:
            writer.writerow(
                [
                    line.jurisdiction.code,
                    line.jurisdiction.name,
                    line.residents,
                    line.notified,
                    line.outstanding,
                    line.due.text if line.due else "",
                    _due_text(line.due),
                    "" if line.due is None or line.due.days_left is None else line.due.days_left,
                    line.state,
                    obligation.rule.name if obligation else "",
                    obligation.rule.min_residents if obligation else "",
                    ("yes" if obligation.required else "no") if obligation else "",
                    _due_text(obligation.due) if obligation else "",
                    *_filing_cells(obligation),
                    line.monitoring_months,
                    line.monitoring_people,
                    len(line.jurisdiction.unverified),
                    line.jurisdiction.law,
                ]
            )
    for place, residents in report.uncovered:
        blank = [""] * 5
        writer.writerow([place, "no rules on file", residents, *blank, DeadlineState.NO_RULES, *blank, *blank, ""])
    return writer.text()

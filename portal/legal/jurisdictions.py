"""The breach-notification rules file (portal/data/jurisdictions.yaml): loading, checking, deadlines.

The file is data, not code, so counsel can correct a deadline without a programmer. It is checked
whole when loaded: an entry without its statute reference or ``verified`` flag, a regex that does
not compile, or a deadline with two units stops the legal pages with a message naming the entry,
rather than silently dropping a jurisdiction from the regulator report.
"""

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

import yaml

RULES_PATH = Path(__file__).resolve().parent.parent / "data" / "jurisdictions.yaml"
DEADLINE_UNITS = ("days", "hours", "business_days")
DEADLINE_FROM = ("discovery", "individual_notice")
WHO = ("attorney_general", "regulator", "credit_bureaus")
_REGEX_FLAGS = re.IGNORECASE | re.MULTILINE


class RulesFileError(ValueError):
    """The rules file is unusable; the message names the entry and what is wrong with it."""


@dataclass(frozen=True)
class Deadline:
    """A time limit: a number of days, hours or business days, or only a standard in words."""

    days: int | None = None
    hours: int | None = None
    business_days: int | None = None
    holidays: frozenset[date] = frozenset()
    standard: str = ""
    starts: str = "discovery"  # or "individual_notice": counted from when residents were told

    def describe(self) -> str:
        after = "of discovery" if self.starts == "discovery" else "of notifying residents"
        if self.days is not None:
            return f"{self.days} days {after}"
        if self.hours is not None:
            return f"{self.hours} hours {after}"
        if self.business_days is not None:
            return f"{self.business_days} business days {after}"
        return self.standard or "no fixed deadline"

    def due_on(self, start: date) -> date | None:
        """The last day on which the duty is met, or None if the law sets no number.

        Hours: the portal stores discovery as a date, so the clock is taken to start at the first
        moment of that day, the earliest it could have started: 72 hours from 1 October end at the
        end of 3 October. Business days skip Saturdays, Sundays and the listed holidays, and the
        count starts the day after ``start``.
        """
        if self.days is not None:
            return start + timedelta(days=self.days)
        if self.hours is not None:
            return start + timedelta(hours=self.hours) - timedelta(days=1)
        if self.business_days is not None:
            return add_business_days(start, self.business_days, self.holidays)
        return None


def add_business_days(start: date, count: int, holidays: frozenset[date] = frozenset()) -> date:
    day = start
    remaining = count
    while remaining > 0:
        day += timedelta(days=1)
        if day.weekday() < 5 and day not in holidays:
            remaining -= 1
    return day


@dataclass(frozen=True)
class Fact:
    source: str
    verified: bool


@dataclass(frozen=True)
class AlsoNotify:
    who: str
    name: str
    min_residents: int
    deadline: Deadline
    fact: Fact


@dataclass(frozen=True)
class ContentRule:
    """Text a notice must (required) or must not (forbidden) contain."""

    id: str
    description: str
    any_of: tuple[re.Pattern, ...]
    all_of: tuple[re.Pattern, ...]
    when_categories: frozenset[str]
    fact: Fact

    def applies(self, categories: set[str] | None) -> bool:
        """Unknown categories (None) means apply: a check that cannot tell should be strict."""
        return not self.when_categories or categories is None or bool(self.when_categories & categories)

    def matches(self, text: str) -> bool:
        any_ok = not self.any_of or any(p.search(text) for p in self.any_of)
        all_ok = all(p.search(text) for p in self.all_of)
        return any_ok and all_ok


@dataclass(frozen=True)
class Monitoring:
    months: int
    when_categories: frozenset[str]
    fact: Fact


@dataclass(frozen=True)
class Jurisdiction:
    code: str
    name: str
    law: str
    regions: frozenset[str] = frozenset()
    countries: frozenset[str] = frozenset()
    notice_deadline: Deadline = Deadline()
    notice_fact: Fact = Fact("", False)
    also_notify: tuple[AlsoNotify, ...] = ()
    required_content: tuple[ContentRule, ...] = ()
    forbidden_content: tuple[ContentRule, ...] = ()
    monitoring: Monitoring | None = None
    unverified: tuple[str, ...] = field(default=(), repr=False)  # what counsel must check, for docs and pages

    @property
    def by_region(self) -> bool:
        return bool(self.regions)

    def covers(self, country: str, region: str) -> bool:
        if self.regions:
            return region.upper() in self.regions
        return country.upper() in self.countries


@dataclass(frozen=True)
class Rules:
    reviewed_on: date
    jurisdictions: dict[str, Jurisdiction]

    def for_place(self, country: str, region: str) -> list[Jurisdiction]:
        """Every jurisdiction whose law covers a resident of ``country`` / ``region`` (usually one)."""
        return [j for j in self.jurisdictions.values() if j.covers(country or "", region or "")]

    def get(self, code: str) -> Jurisdiction | None:
        return self.jurisdictions.get(code.upper()) if code else None


def _fact(raw: dict, where: str) -> Fact:
    source, verified = raw.get("source"), raw.get("verified")
    if not isinstance(source, str) or not source.strip():
        raise RulesFileError(f"{where}: every fact needs a `source` (the statute or rule it comes from)")
    if not isinstance(verified, bool):
        raise RulesFileError(f"{where}: every fact needs `verified: true` or `verified: false`")
    return Fact(source.strip(), verified)


def _deadline(raw: dict, where: str) -> Deadline:
    units = [unit for unit in DEADLINE_UNITS if raw.get(unit) is not None]
    if len(units) > 1:
        raise RulesFileError(f"{where}: a deadline has one unit, not {', '.join(units)}")
    if not units and not raw.get("standard"):
        raise RulesFileError(f"{where}: a deadline needs days, hours, business_days or a `standard` in words")
    for unit in units:
        if not isinstance(raw[unit], int) or raw[unit] <= 0:
            raise RulesFileError(f"{where}: {unit} must be a positive whole number")
    starts = raw.get("from", "discovery")
    if starts not in DEADLINE_FROM:
        raise RulesFileError(f"{where}: `from` must be one of {', '.join(DEADLINE_FROM)}")
    holidays = raw.get("holidays") or []
    if not all(isinstance(day, date) for day in holidays):
        raise RulesFileError(f"{where}: holidays must be dates (YYYY-MM-DD)")
    return Deadline(
        days=raw.get("days"),
        hours=raw.get("hours"),
        business_days=raw.get("business_days"),
        holidays=frozenset(holidays),
        standard=str(raw.get("standard") or ""),
        starts=starts,
    )


def _patterns(values, where: str) -> tuple[re.Pattern, ...]:
    if values is None:
        return ()
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise RulesFileError(f"{where}: patterns must be a list of strings")
    try:
        return tuple(re.compile(value, _REGEX_FLAGS) for value in values)
    except re.error as exc:
        raise RulesFileError(f"{where}: a pattern does not compile ({exc})") from exc


def _content_rules(items, where: str) -> tuple[ContentRule, ...]:
    rules = []
    for index, raw in enumerate(items or []):
        here = f"{where}[{raw.get('id', index)}]"
        any_of, all_of = _patterns(raw.get("any_of"), here), _patterns(raw.get("all_of"), here)
        if not any_of and not all_of:
            raise RulesFileError(f"{here}: needs any_of or all_of patterns")
        if not raw.get("id") or not raw.get("description"):
            raise RulesFileError(f"{here}: needs an id and a description")
        rules.append(
            ContentRule(
                raw["id"],
                raw["description"],
                any_of,
                all_of,
                frozenset(raw.get("when_categories") or ()),
                _fact(raw, here),
            )
        )
    return tuple(rules)


def _also_notify(items, where: str) -> tuple[AlsoNotify, ...]:
    result = []
    for index, raw in enumerate(items or []):
        here = f"{where}.also_notify[{index}]"
        if raw.get("who") not in WHO:
            raise RulesFileError(f"{here}: `who` must be one of {', '.join(WHO)}")
        threshold = raw.get("min_residents")
        if not isinstance(threshold, int) or threshold < 1:
            raise RulesFileError(f"{here}: min_residents must be a whole number ≥ 1 ('more than 500' is 501)")
        result.append(
            AlsoNotify(
                raw["who"],
                str(raw.get("name") or raw["who"]),
                threshold,
                _deadline(raw.get("deadline") or {}, f"{here}.deadline"),
                _fact(raw, here),
            )
        )
    return tuple(result)


def _jurisdiction(code: str, raw: dict, groups: dict[str, list[str]]) -> Jurisdiction:
    where = f"jurisdictions.{code}"
    applies = raw.get("applies_to") or {}
    regions = frozenset(r.upper() for r in applies.get("regions") or ())
    countries = frozenset(c.upper() for c in applies.get("countries") or ())
    if applies.get("group"):
        if applies["group"] not in groups:
            raise RulesFileError(f"{where}: unknown group {applies['group']!r}")
        members = groups[applies["group"]]
        if not all(isinstance(code, str) for code in members):  # YAML 1.1 reads a bare NO (Norway) as false
            raise RulesFileError(f"{where}: group {applies['group']!r} has a code that is not text; quote it")
        countries = frozenset(code.upper() for code in members)
    if bool(regions) == bool(countries):
        raise RulesFileError(f"{where}: applies_to needs regions, or countries / a group (exactly one)")
    notice = raw.get("notice_deadline") or {}
    monitoring = raw.get("monitoring")
    jurisdiction = Jurisdiction(
        code=code,
        name=str(raw.get("name") or code),
        law=str(raw.get("law") or ""),
        regions=regions,
        countries=countries,
        notice_deadline=_deadline(notice, f"{where}.notice_deadline"),
        notice_fact=_fact(notice, f"{where}.notice_deadline"),
        also_notify=_also_notify(raw.get("also_notify"), where),
        required_content=_content_rules(raw.get("required_content"), f"{where}.required_content"),
        forbidden_content=_content_rules(raw.get("forbidden_content"), f"{where}.forbidden_content"),
        monitoring=Monitoring(
            int(monitoring["months"]),
            frozenset(monitoring.get("when_categories") or ()),
            _fact(monitoring, f"{where}.monitoring"),
        )
        if monitoring
        else None,
    )
    return _with_unverified(jurisdiction)


def _with_unverified(j: Jurisdiction) -> Jurisdiction:
    items = []
    if not j.notice_fact.verified:
        items.append(f"notice deadline ({j.notice_deadline.describe()}): {j.notice_fact.source}")
    items += [
        f"{a.name} from {a.min_residents} residents, {a.deadline.describe()}: {a.fact.source}"
        for a in j.also_notify
        if not a.fact.verified
    ]
    items += [f"required content '{r.description}': {r.fact.source}" for r in j.required_content if not r.fact.verified]
    items += [
        f"forbidden content '{r.description}': {r.fact.source}" for r in j.forbidden_content if not r.fact.verified
    ]
    if j.monitoring and not j.monitoring.fact.verified:
        items.append(f"{j.monitoring.months} months of monitoring: {j.monitoring.fact.source}")
    return Jurisdiction(**{**j.__dict__, "unverified": tuple(items)})


def parse_rules(document: dict) -> Rules:
    if not isinstance(document, dict) or not isinstance(document.get("jurisdictions"), dict):
        raise RulesFileError("the rules file needs a `jurisdictions:` mapping")
    reviewed = document.get("reviewed_on")
    if not isinstance(reviewed, date):
        raise RulesFileError("the rules file needs `reviewed_on: YYYY-MM-DD`")
    groups = document.get("groups") or {}
    jurisdictions = {
        str(code).upper(): _jurisdiction(str(code).upper(), raw or {}, groups)
        for code, raw in document["jurisdictions"].items()
    }
    return Rules(reviewed, jurisdictions)


@lru_cache(maxsize=4)
def _load(path: str, mtime: float) -> Rules:
    with open(path, encoding="utf-8") as handle:
        return parse_rules(yaml.safe_load(handle))


def load_rules(path: Path | None = None) -> Rules:
    """The parsed rules; re-read when the file changes (counsel's corrections apply without a restart)."""
    target = path or RULES_PATH
    return _load(str(target), target.stat().st_mtime)

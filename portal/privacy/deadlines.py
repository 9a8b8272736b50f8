"""How long the organisation has to answer a person's access, correction or erasure request.

The periods live beside the breach-notice rules in portal/data/jurisdictions.yaml (``data_requests``
under each jurisdiction) so counsel correct them in one file. A person covered by several laws gets
the earliest date; a person covered by none gets PRIVACY_DEFAULT_RESPONSE_DAYS (the organisation's
own promise, not a law's).
"""

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

import yaml
from flask import current_app

from portal.legal.jurisdictions import RULES_PATH, RulesFileError, load_rules


@dataclass(frozen=True)
class ResponsePeriod:
    days: int | None
    months: int | None
    source: str
    verified: bool

    def due_on(self, received: date) -> date:
        if self.months:
            return add_months(received, self.months)
        return received + timedelta(days=self.days or 0)

    def describe(self) -> str:
        return f"{self.months} month(s)" if self.months else f"{self.days} days"


@dataclass(frozen=True)
class Deadline:
    due_on: date
    jurisdiction: str  # "" when no law named a period
    period: str
    source: str


def add_months(start: date, months: int) -> date:
    """The same day ``months`` later, or that month's last day if it has no such day (31 Jan + 1 = 28/29 Feb),
    as EU periods in months are counted (Regulation 1182/71, Art. 3(2)(c))."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def _period(code: str, raw: dict) -> ResponsePeriod:
    days, months = raw.get("days"), raw.get("months")
    if (days is None) == (months is None) or not isinstance(days or months, int) or (days or months) <= 0:
        raise RulesFileError(f"jurisdictions.{code}.data_requests: give days or months, a positive whole number")
    if not str(raw.get("source") or "").strip() or not isinstance(raw.get("verified"), bool):
        raise RulesFileError(f"jurisdictions.{code}.data_requests: needs `source` and `verified`")
    return ResponsePeriod(days, months, str(raw["source"]).strip(), raw["verified"])


@lru_cache(maxsize=4)
def _periods(path: str, mtime: float) -> dict[str, ResponsePeriod]:
    with open(path, encoding="utf-8") as handle:
        document = yaml.safe_load(handle)
    return {
        str(code).upper(): _period(str(code).upper(), raw["data_requests"])
        for code, raw in document["jurisdictions"].items()
        if (raw or {}).get("data_requests")
    }


def response_periods() -> dict[str, ResponsePeriod]:
    return _periods(str(RULES_PATH), RULES_PATH.stat().st_mtime)


def response_deadline(country: str, region: str, received: date) -> Deadline:
    periods = response_periods()
    candidates = [
        Deadline(periods[j.code].due_on(received), j.code, periods[j.code].describe(), periods[j.code].source)
        for j in load_rules().for_place(country, region)
        if j.code in periods
    ]
    if candidates:
        return min(candidates, key=lambda d: d.due_on)
    days = current_app.config["PRIVACY_DEFAULT_RESPONSE_DAYS"]
    return Deadline(received + timedelta(days=days), "", f"{days} days", "the organisation's own policy")

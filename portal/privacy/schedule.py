"""The retention schedule (portal/data/retention.yaml): for each incident and each kind of data, the
date from which it is purged or anonymised, or why there is no date yet."""

from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

import yaml

from portal.dao.retention import dao_incident_payment_state

SCHEDULE_PATH = Path(__file__).resolve().parent.parent / "data" / "retention.yaml"
ACTIONS = ("purge", "anonymise")
ANCHORS = ("claim_deadline", "last_payment", "message_sent")


class ScheduleFileError(ValueError):
    pass


@dataclass(frozen=True)
class Kind:
    code: str
    action: str
    after: str
    days: int
    holds: str
    why: str


@dataclass(frozen=True)
class Due:
    kind: Kind
    on: date | None  # None: not known yet (see ``waiting_for``)
    waiting_for: str = ""

    def is_due(self, today: date) -> bool:
        return self.on is not None and self.on <= today


def _kind(code: str, raw: dict) -> Kind:
    if raw.get("action") not in ACTIONS or raw.get("after") not in ANCHORS:
        raise ScheduleFileError(f"kinds.{code}: action must be one of {ACTIONS}, after one of {ANCHORS}")
    if not isinstance(raw.get("days"), int) or raw["days"] < 0:
        raise ScheduleFileError(f"kinds.{code}: days must be a whole number of days")
    return Kind(code, raw["action"], raw["after"], raw["days"], str(raw.get("holds", "")), str(raw.get("why", "")))


@lru_cache(maxsize=4)
def _load(path: str, mtime: float) -> tuple[Kind, ...]:
    with open(path, encoding="utf-8") as handle:
        document = yaml.safe_load(handle)
    return tuple(_kind(code, raw or {}) for code, raw in (document.get("kinds") or {}).items())


def retention_kinds(path: Path | None = None) -> tuple[Kind, ...]:
    target = path or SCHEDULE_PATH
    return _load(str(target), target.stat().st_mtime)


def _anchor(kind: Kind, incident, last_payment: date | None, claims_settled: bool) -> tuple[date | None, str]:
    if kind.after == "message_sent":
        return None, f"{kind.days} days after each message was sent"
    if incident.claim_deadline is None:
        return None, "the incident has no claims deadline"
    if kind.after == "claim_deadline":
        return incident.claim_deadline, ""
    if not claims_settled:
        return None, "claims still open or not yet paid"
    return max(incident.claim_deadline, last_payment or incident.claim_deadline), ""


def schedule_for(incident, today: date) -> list[Due]:
    last_payment, settled = dao_incident_payment_state(incident.id, today)
    rows = []
    for kind in retention_kinds():
        start, waiting = _anchor(kind, incident, last_payment, settled)
        rows.append(Due(kind, start + timedelta(days=kind.days) if start else None, waiting))
    return rows


def extract_retention(fileobj, keywords, comment_tags, options):
    """Babel extractor: what each kind holds and why, shown to people on the privacy notice."""
    document = yaml.safe_load(fileobj.read().decode("utf-8"))
    for raw in (document.get("kinds") or {}).values():
        for key in ("holds", "why"):
            if raw.get(key):
                yield 0, "gettext", raw[key], []

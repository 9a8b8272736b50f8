"""The exposure taxonomy, loaded from ``portal/data/categories.yaml``.

Each category's steps form the person's checklist. A step's ``id`` is stored with the person's
"done" mark (``StepCompletion``), so it must never change once published: reword the text freely,
but give a genuinely different step a new id. The loader refuses a file with a missing or repeated
id, or a country code that is not two capital letters, so a typo fails at start-up, not on a page.
"""

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from portal.constants import SEVERITY_ORDER, Severity

TAXONOMY_FILE = Path(__file__).parents[1] / "data" / "categories.yaml"
STEP_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
COUNTRY = re.compile(r"^[A-Z]{2}$")


class TaxonomyError(ValueError):
    """The taxonomy file is malformed; the message names the category and step."""


@dataclass(frozen=True)
class Step:
    id: str
    text: str
    countries: tuple[str, ...] = ()  # only there (empty: everywhere)
    not_countries: tuple[str, ...] = ()  # everywhere but there (e.g. a generic step the US replaces)
    phone: str = ""  # a public contact number, shown as a tel: link; never translated
    url: str = ""  # an official site, shown as a link; never translated

    def applies_to(self, country: str) -> bool:
        if self.countries and country not in self.countries:
            return False
        return country not in self.not_countries


@dataclass(frozen=True)
class Category:
    code: str
    title: str
    severity: Severity
    means: str
    steps: tuple[Step, ...]

    @property
    def rank(self) -> int:
        return SEVERITY_ORDER[self.severity]

    def steps_for(self, country: str) -> list[Step]:
        return [step for step in self.steps if step.applies_to(country)]

    def step_for(self, country: str, step_id: str) -> Step | None:
        """The step with this id if it is on this country's checklist, else None."""
        return next((step for step in self.steps_for(country) if step.id == step_id), None)


def _countries(code: str, step_id: str, values) -> tuple[str, ...]:
    values = tuple(values or ())
    bad = [value for value in values if not isinstance(value, str) or not COUNTRY.match(value)]
    if bad:
        raise TaxonomyError(f"{code}/{step_id}: country codes are ISO 3166-1 alpha-2 in capitals, not {bad}")
    return values


def _step(code: str, raw: dict, seen: set[str]) -> Step:
    step_id = raw.get("id")
    if not isinstance(step_id, str) or not STEP_ID.match(step_id):
        raise TaxonomyError(f"{code}: every step needs an id of lowercase letters, digits and dashes, got {step_id!r}")
    if step_id in seen:
        raise TaxonomyError(f"{code}: the step id {step_id!r} is used twice")
    seen.add(step_id)
    return Step(
        step_id,
        raw["text"],
        _countries(code, step_id, raw.get("countries")),
        _countries(code, step_id, raw.get("not_countries")),
        str(raw.get("phone", "")),
        str(raw.get("url", "")),
    )


@cache
def load_taxonomy(path: Path = TAXONOMY_FILE) -> dict[str, Category]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    categories = {}
    for entry in raw["categories"]:
        seen: set[str] = set()
        steps = tuple(_step(entry["code"], step, seen) for step in entry["steps"])
        categories[entry["code"]] = Category(
            entry["code"], entry["title"], Severity(entry["severity"]), entry["means"], steps
        )
    return categories


def category_codes() -> frozenset[str]:
    return frozenset(load_taxonomy())

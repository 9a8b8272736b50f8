"""The exposure taxonomy, loaded from ``portal/data/categories.yaml``."""

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from portal.constants import SEVERITY_ORDER, Severity

TAXONOMY_FILE = Path(__file__).parent / "data" / "categories.yaml"


@dataclass(frozen=True)
class Step:
    text: str
    countries: tuple[str, ...] = ()

    def applies_to(self, country: str) -> bool:
        return not self.countries or country in self.countries


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


@cache
def load_taxonomy(path: Path = TAXONOMY_FILE) -> dict[str, Category]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    categories = {}
    for entry in raw["categories"]:
        steps = tuple(Step(s["text"], tuple(s.get("countries", ()))) for s in entry["steps"])
        categories[entry["code"]] = Category(
            entry["code"], entry["title"], Severity(entry["severity"]), entry["means"], steps
        )
    return categories


def category_codes() -> frozenset[str]:
    return frozenset(load_taxonomy())

"""What one person sees about their own exposure, grouped by incident, worst first.

Each card carries the category's checklist for the person's country; each incident carries what
the person can do next (monitoring, updates; claims add their own links in the template).
"""

from dataclasses import dataclass, field

from portal.dao.people import dao_get_exposures_with_incidents
from portal.exposure.checklist import (
    ChecklistStep,
    Progress,
    card_anchor,
    checklist_for,
    completed_steps,
    progress_of,
)
from portal.models import Exposure, Incident, Person
from portal.monitoring.service import MonitoringOverview, monitoring_overview
from portal.taxonomy import Category, load_taxonomy
from portal.updates.service import active_subscription


@dataclass(frozen=True)
class ExposureCard:
    category: Category
    exposure: Exposure
    steps: list[ChecklistStep]

    @property
    def progress(self) -> Progress:
        return progress_of(self.steps)

    @property
    def anchor(self) -> str:
        return card_anchor(self.exposure.incident_id, self.category.code)

    @property
    def to_do(self) -> list[ChecklistStep]:
        return [step for step in self.steps if not step.done]

    @property
    def done(self) -> list[ChecklistStep]:
        """Shown folded away under the steps still to do, so the page stays short."""
        return [step for step in self.steps if step.done]


@dataclass
class IncidentExposure:
    incident: Incident
    cards: list[ExposureCard] = field(default_factory=list)
    monitoring: MonitoringOverview | None = None
    subscribed: bool = False

    @property
    def progress(self) -> Progress:
        return progress_of([step for card in self.cards for step in card.steps])


@dataclass(frozen=True)
class ExposurePage:
    incidents: list[IncidentExposure]

    @property
    def progress(self) -> Progress:
        """Across every incident: the "3 of 7 steps done" at the top of the page."""
        return progress_of([step for entry in self.incidents for card in entry.cards for step in card.steps])


def exposure_overview(person: Person) -> ExposurePage:
    taxonomy = load_taxonomy()
    completed = completed_steps(person)
    grouped: dict[int, IncidentExposure] = {}
    for exposure, incident in dao_get_exposures_with_incidents(person.id):
        category = taxonomy[exposure.category]
        entry = grouped.setdefault(incident.id, IncidentExposure(incident))
        steps = checklist_for(incident.id, category, person.country, completed)
        entry.cards.append(ExposureCard(category, exposure, steps))
    for entry in grouped.values():
        entry.cards.sort(key=lambda card: (card.category.rank, card.category.code))
        entry.monitoring = monitoring_overview(person, entry.incident)
        entry.subscribed = active_subscription(person, entry.incident) is not None
    return ExposurePage(list(grouped.values()))

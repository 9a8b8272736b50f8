"""What one person sees about their own exposure, grouped by incident, worst first.

Each card carries the category's checklist for the person's country; each incident carries what
the person can do next (monitoring, updates; claims add their own links in the template).
"""

from dataclasses import dataclass, field
from functools import cached_property

from portal.claims.drafts import claim_deadline_passed
from portal.claims.state import ClaimState
from portal.core.taxonomy import Category, load_taxonomy
from portal.dao.exposures import dao_get_exposure_page_rows
from portal.dao.monitoring import dao_get_monitoring_rows
from portal.exposure.checklist import (
    ChecklistStep,
    Progress,
    card_anchor,
    checklist_for,
    completed_steps,
    progress_of,
)
from portal.models import Exposure, Incident, Person
from portal.monitoring.service import MonitoringOverview, monitoring_overviews


@dataclass(frozen=True)
class ExposureCard:
    """One card's view model: the template reads each value several times, so each is worked out
    once (``cached_property``), and the template renders it without macros (each Jinja macro call
    costs a new context; about fifty of them were a large share of the page's time)."""

    category: Category
    exposure: Exposure
    steps: list[ChecklistStep]

    @cached_property
    def progress(self) -> Progress:
        return progress_of(self.steps)

    @cached_property
    def anchor(self) -> str:
        return card_anchor(self.exposure.incident_id, self.category.code)

    @cached_property
    def to_do(self) -> list[ChecklistStep]:
        return [step for step in self.steps if not step.done]

    @cached_property
    def done(self) -> list[ChecklistStep]:
        """Shown folded away under the steps still to do, so the page stays short."""
        return [step for step in self.steps if step.done]

    @cached_property
    def step_lists(self) -> list[tuple[list[ChecklistStep], bool]]:
        """(steps, folded away) for the checklist: the steps to do, then those done, if any."""
        return [(steps, folded) for steps, folded in ((self.to_do, False), (self.done, True)) if steps]


@dataclass
class IncidentExposure:
    incident: Incident
    cards: list[ExposureCard] = field(default_factory=list)
    monitoring: MonitoringOverview | None = None
    subscribed: bool = False
    claim_state: ClaimState | None = None  # the claim links' state (templates/claims/_exposure_actions.html)

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
    """Three reads whatever the person's exposures: their steps, their exposures with each incident's
    subscription and claim, and the incidents' monitoring products with their enrollments and codes."""
    taxonomy = load_taxonomy()
    completed = completed_steps(person)
    grouped: dict[int, IncidentExposure] = {}
    exposed: dict[int, set[str]] = {}
    for exposure, incident, subscription, claim in dao_get_exposure_page_rows(person.id):
        category = taxonomy[exposure.category]
        entry = grouped.get(incident.id)
        if entry is None:
            entry = grouped[incident.id] = IncidentExposure(incident)
            entry.subscribed = subscription is not None and subscription.unsubscribed_at is None
            entry.claim_state = ClaimState(claim, claim_deadline_passed(incident))
        exposed.setdefault(incident.id, set()).add(exposure.category)
        steps = checklist_for(incident.id, category, person.country, completed)
        entry.cards.append(ExposureCard(category, exposure, steps))
    incidents = [entry.incident for entry in grouped.values()]
    monitoring = monitoring_overviews(person, incidents, dao_get_monitoring_rows(person.id, list(grouped)), exposed)
    for entry in grouped.values():
        entry.cards.sort(key=lambda card: (card.category.rank, card.category.code))
        entry.monitoring = monitoring[entry.incident.id]
    return ExposurePage(list(grouped.values()))

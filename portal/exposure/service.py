"""What one person sees about their own exposure, grouped by incident, worst first."""

from dataclasses import dataclass, field

from portal.dao.people import dao_get_exposures_with_incidents
from portal.models import Exposure, Incident, Person
from portal.taxonomy import Category, Step, load_taxonomy


@dataclass(frozen=True)
class ExposureCard:
    category: Category
    exposure: Exposure
    steps: list[Step]


@dataclass
class IncidentExposure:
    incident: Incident
    cards: list[ExposureCard] = field(default_factory=list)


def exposure_overview(person: Person) -> list[IncidentExposure]:
    taxonomy = load_taxonomy()
    grouped: dict[int, IncidentExposure] = {}
    for exposure, incident in dao_get_exposures_with_incidents(person.id):
        category = taxonomy[exposure.category]
        entry = grouped.setdefault(incident.id, IncidentExposure(incident))
        entry.cards.append(ExposureCard(category, exposure, category.steps_for(person.country)))
    for entry in grouped.values():
        entry.cards.sort(key=lambda card: (card.category.rank, card.category.code))
    return list(grouped.values())

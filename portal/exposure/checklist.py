"""The action checklist: each exposed category's steps (for the person's country), marked done or not.

A mark belongs to the person and the (category, step id) pair, not to an incident: someone whose
passport scans leaked in two incidents replaces the passport once.
"""

from dataclasses import dataclass

from portal.core.taxonomy import Category, Step, load_taxonomy
from portal.dao.steps import dao_get_completed_steps, dao_get_exposed_categories, dao_mark_step_done, dao_unmark_step
from portal.extensions import db
from portal.models import Person


def step_anchor(incident_id: int, category: str, step_id: str) -> str:
    """The step's id on the page (a category can be on the page once per incident)."""
    return f"step-{incident_id}-{category}-{step_id}"


def card_anchor(incident_id: int, category: str) -> str:
    """The category's card on the page, where saving its checklist returns to."""
    return f"card-{incident_id}-{category}"


@dataclass(frozen=True)
class ChecklistStep:
    incident_id: int
    category: str
    step: Step
    done: bool

    @property
    def anchor(self) -> str:
        return step_anchor(self.incident_id, self.category, self.step.id)


@dataclass(frozen=True)
class Progress:
    done: int
    total: int

    @property
    def complete(self) -> bool:
        return self.total > 0 and self.done == self.total


def checklist_for(
    incident_id: int, category: Category, country: str, completed: set[tuple[str, str]]
) -> list[ChecklistStep]:
    return [
        ChecklistStep(incident_id, category.code, step, (category.code, step.id) in completed)
        for step in category.steps_for(country)
    ]


def progress_of(steps: list[ChecklistStep]) -> Progress:
    """Done out of total, counting a step shared by two cards (two incidents) once."""
    unique = {(item.category, item.step.id): item.done for item in steps}
    return Progress(sum(unique.values()), len(unique))


def completed_steps(person: Person) -> set[tuple[str, str]]:
    return dao_get_completed_steps(person.id)


class StepNotOnChecklist(LookupError):
    """Not a step of a category this person was exposed in, or not one for their country (a 404)."""


def save_checklist(person: Person, incident_id: int, category_code: str, ticked: set[str], was_done: set[str]) -> None:
    """Save one card's checklist as the person left it: ticked steps done, unticked ones not.

    Only what the person changed on that form is written (a step ticked that was not done, or one
    done that they unticked), so a form left open in another tab cannot undo a step marked since.
    Idempotent: sending the same form twice changes nothing the second time. Every step must be on
    the person's own checklist: a category they were exposed in (in that incident), a step for
    their country.
    """
    category = load_taxonomy().get(category_code)
    if category is None or category_code not in dao_get_exposed_categories(person.id, incident_id):
        raise StepNotOnChecklist(category_code, "")
    for step_id in ticked | was_done:
        if category.step_for(person.country, step_id) is None:
            raise StepNotOnChecklist(category_code, step_id)
    for step_id in sorted(ticked - was_done):
        dao_mark_step_done(person.id, category_code, step_id)
    for step_id in sorted(was_done - ticked):
        dao_unmark_step(person.id, category_code, step_id)
    db.session.commit()

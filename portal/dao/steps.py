"""Checklist marks: which taxonomy steps a person has said they did."""

from sqlalchemy import bindparam, delete, select
from sqlalchemy.exc import IntegrityError

from portal.extensions import db
from portal.models import Exposure, StepCompletion

# Built once (every /my reads it): see portal/dao/__init__.py.
_COMPLETED_STEPS = select(StepCompletion.category, StepCompletion.step_id).where(
    StepCompletion.person_id == bindparam("person_id")
)


def dao_get_completed_steps(person_id: int) -> set[tuple[str, str]]:
    """(category, step id) for every step the person marked done."""
    return {(category, step_id) for category, step_id in db.session.execute(_COMPLETED_STEPS, {"person_id": person_id})}


def dao_mark_step_done(person_id: int, category: str, step_id: str) -> None:
    """Idempotent: a second "done" (a double tap, two tabs) leaves the one mark there is."""
    try:
        with db.session.begin_nested():
            db.session.add(StepCompletion(person_id=person_id, category=category, step_id=step_id))
    except IntegrityError:
        pass  # already marked, by this request's twin


def dao_unmark_step(person_id: int, category: str, step_id: str) -> None:
    db.session.execute(
        delete(StepCompletion).where(
            StepCompletion.person_id == person_id,
            StepCompletion.category == category,
            StepCompletion.step_id == step_id,
        )
    )


def dao_get_exposed_categories(person_id: int, incident_id: int) -> set[str]:
    """Every category the person was exposed in, in that incident."""
    return set(
        db.session.scalars(
            select(Exposure.category).where(Exposure.person_id == person_id, Exposure.incident_id == incident_id)
        )
    )

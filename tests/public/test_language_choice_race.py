"""Choosing a language is one change however often it is pressed: eight tabs of a verified person
choosing French at once change the register once and write one audit row, and every tab lands."""

from sqlalchemy import select

from portal.constants import AuditAction
from portal.extensions import db
from portal.models import AuditEvent, Person
from tests.claims.test_one_shot import TABS
from tests.factories import expose, give_notice_code, make_incident, make_person
from tests.live import race


def test_concurrent_choices_of_one_language_change_the_register_once(app_ctx, live_browser):
    incident = make_incident()
    person = make_person("C-LANG", language="en")
    expose(person, incident, "contact")
    live_browser.sign_in_contractor(give_notice_code(person, incident), person.last_name, "1990-03-27")
    tabs = [live_browser.tab() for _ in range(TABS)]

    answers = race(tabs, "/my", post_to="/language", language="fr")

    assert all(answer.status == 302 for answer in answers), [(a.status, a.text[:200]) for a in answers]
    db.session.expire_all()
    assert db.session.get(Person, person.id).preferred_language == "fr"
    chosen = select(AuditEvent).where(AuditEvent.action == AuditAction.LANGUAGE_CHOSEN)
    assert len(db.session.scalars(chosen).all()) == 1

"""Asking to be excluded, and withdrawing the request, happen once however many tabs post at once.

The first submit used to be a 500 for every twin (the unique index refused the second row) and a
re-request after a withdrawal wrote one audit row per tab.
"""

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from portal.constants import AuditAction
from portal.extensions import db
from portal.models import AuditEvent, ExclusionRequest
from tests.claims.test_one_shot import TABS
from tests.factories import expose, give_notice_code, make_incident, make_person
from tests.live import race


def audits(action) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == str(action)))


@pytest.fixture
def incident(app_ctx):
    return make_incident(claim_deadline=date.today() + timedelta(days=30))


@pytest.fixture
def tabs(live_browser, incident):
    person = make_person("C-OPT", first_name="Amina")
    expose(person, incident, "payment")
    live_browser.sign_in_contractor(give_notice_code(person, incident), "Okafor", "1990-03-27")
    return [live_browser.tab() for _ in range(TABS)]


def ask(tab, slug):
    answer = tab.submit(f"/my/exclusion/{slug}", reason="Suing on my own", typed_name="Amina Okafor")
    assert answer.status == 302 and answer.location.endswith("/check"), answer.status


def test_concurrent_requests_and_withdrawals_each_happen_once(incident, tabs):
    slug = incident.slug
    for round_ in (1, 2):  # the second round renews the withdrawn row rather than inserting one
        ask(tabs[0], slug)
        for tab in tabs[1:]:
            tab.cookies = dict(tabs[0].cookies)  # the draft answers live in the session
        answers = race(tabs, f"/my/exclusion/{slug}/check")
        assert all(a.status == 302 and a.location.endswith(f"/my/exclusion/{slug}") for a in answers), [
            (a.status, a.text[:200]) for a in answers
        ]
        assert db.session.scalar(select(func.count()).select_from(ExclusionRequest)) == 1
        assert audits(AuditAction.EXCLUSION_REQUESTED) == round_

        answers = race(tabs, f"/my/exclusion/{slug}", f"/my/exclusion/{slug}/withdraw")
        assert all(a.status == 302 for a in answers)
        assert audits(AuditAction.EXCLUSION_WITHDRAWN) == round_

"""Publishing an incident update is one-shot: eight tabs clicking "Publish" at once email every
subscriber once. The repeat check used to be a read before the insert: concurrent clicks all read
"not published yet" and each emailed everyone."""

from sqlalchemy import func, select

from portal.constants import AuditAction, MailKind, Role
from portal.extensions import db
from portal.models import AuditEvent, IncidentUpdate
from portal.staff.service import create_staff_user
from portal.updates.service import subscribe
from tests.claims.test_one_shot import TABS
from tests.factories import STAFF_PASSWORD, expose, make_incident, make_person
from tests.live import race
from tests.monitoring.helpers import outbox


def test_concurrent_publishes_post_and_email_the_update_once(app_ctx, live_browser):
    incident = make_incident()
    for n in range(2):
        person = make_person(f"C-{n}", email=f"p{n}@example.org")
        expose(person, incident, "contact")
        subscribe(person, incident)
    user, secret = create_staff_user("admin-updates@staff.example.org", Role.ADMIN, STAFF_PASSWORD)
    live_browser.sign_in_staff(user.email, secret)
    tabs = [live_browser.tab() for _ in range(TABS)]
    form = {"incident_id": str(incident.id), "title": "Codes are here", "body": "Enroll now.", "action": "publish"}

    answers = race(tabs, "/staff/updates/new", **form)

    assert all(answer.status == 302 for answer in answers), [(a.status, a.text[:200]) for a in answers]
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(IncidentUpdate)) == 1
    assert len(outbox(MailKind.INCIDENT_UPDATE)) == 2  # each subscriber once
    published = select(func.count()).where(AuditEvent.action == AuditAction.INCIDENT_UPDATE_PUBLISHED)
    assert db.session.scalar(published) == 1

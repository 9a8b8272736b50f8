"""Two-person approval: who may do what, the one-pass freeze, and what approval starts."""

from datetime import timedelta

import pytest
from sqlalchemy import event, func, select

from portal.batches.audience import Audience
from portal.batches.service import batch_fingerprint
from portal.constants import AuditAction, BatchStatus, Channel, NotificationStatus
from portal.core.time import utcnow
from portal.extensions import db
from portal.models import AuditEvent, Batch, Notification
from portal.sending import service as sending
from tests.batches.helpers import make_batch, make_template
from tests.factories import sign_in_staff

pytestmark = pytest.mark.usefixtures("app_ctx")


@pytest.fixture
def dispatched(monkeypatch):
    """Record dispatch_batch calls instead of sending (the sending engine has its own tests)."""
    calls = []
    monkeypatch.setattr(sending, "dispatch_batch", calls.append)
    return calls


@pytest.fixture
def batch(incident, admin, person_in):
    _client, creator = admin
    for n in range(3):
        person_in(f"C-{n}")
    return make_batch(incident, make_template(incident), creator)


def _approve(client, batch):
    db.session.refresh(batch)
    return client.post(f"/staff/batches/{batch.id}/approve", data={"fingerprint": batch_fingerprint(batch)})


def _notifications(batch) -> list[Notification]:
    db.session.expire_all()
    return list(db.session.scalars(select(Notification).where(Notification.batch_id == batch.id)))


def test_an_admin_creates_a_draft_batch_for_everyone_in_the_incident(admin, incident):
    client, user = admin
    version = make_template(incident)
    response = client.post(
        "/staff/batches/new", data={"name": "First notice", "template_version": version.id, "channel": "email"}
    )
    assert response.status_code == 302 and response.location.endswith("/audience")
    batch = db.session.scalar(select(Batch))
    assert (batch.status, batch.created_by_id, batch.incident_id) == (BatchStatus.DRAFT, user.id, incident.id)
    assert Audience.from_json(batch.audience) == Audience()
    assert (
        db.session.scalar(select(AuditEvent.target).where(AuditEvent.action == AuditAction.BATCH_CREATED))
        == f"batch:{batch.id}"
    )


def test_the_creator_cannot_approve_their_own_batch(admin, batch, dispatched):
    client, _user = admin
    page = client.get(f"/staff/batches/{batch.id}").get_data(as_text=True)
    assert "a different admin must approve it" in page
    for response in (client.get(f"/staff/batches/{batch.id}/approve"), _approve(client, batch)):
        assert response.status_code == 403
        assert "You created this batch, so a different admin must approve it." in response.get_data(as_text=True)
    assert _notifications(batch) == [] and dispatched == []
    assert db.session.get(Batch, batch.id).status == BatchStatus.DRAFT


def test_a_second_admin_approves_and_the_audience_is_frozen_in_one_insert(second_admin, batch, dispatched):
    client, approver = second_admin
    page = client.get(f"/staff/batches/{batch.id}/approve").get_data(as_text=True)
    assert "Check before you approve" in page and "3 people" in page
    inserts = []

    def count_inserts(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("INSERT INTO NOTIFICATION"):
            inserts.append(statement)

    event.listen(db.engine, "before_cursor_execute", count_inserts)
    try:
        response = _approve(client, batch)
    finally:
        event.remove(db.engine, "before_cursor_execute", count_inserts)
    assert response.status_code == 302
    assert len(inserts) == 1 and "SELECT" in inserts[0].upper()
    rows = _notifications(batch)
    batch = db.session.get(Batch, batch.id)
    assert len(rows) == batch.audience_count == 3
    assert {r.status for r in rows} == {NotificationStatus.QUEUED}
    assert (batch.status, batch.approved_by_id) == (BatchStatus.APPROVED, approver.id)
    assert dispatched == [batch.id]
    details = db.session.scalar(select(AuditEvent.details).where(AuditEvent.action == AuditAction.BATCH_APPROVED))
    assert '"audience_count": 3' in details


def test_the_count_shown_is_the_number_of_rows_frozen(second_admin, incident, admin, person_in, dispatched):
    client, _approver = second_admin
    _creator_client, creator = admin
    for n in range(5):
        person_in(f"K-{n}", country="KE")
    person_in("N-1", country="NG")
    batch = make_batch(incident, make_template(incident), creator, audience=Audience(countries=("KE",)))
    assert "5 people" in client.get(f"/staff/batches/{batch.id}/approve").get_data(as_text=True)
    _approve(client, batch)
    assert len(_notifications(batch)) == db.session.get(Batch, batch.id).audience_count == 5


def test_approving_twice_is_refused_and_freezes_nothing_more(second_admin, batch, dispatched):
    client, _approver = second_admin
    fingerprint = batch_fingerprint(batch)
    assert client.post(f"/staff/batches/{batch.id}/approve", data={"fingerprint": fingerprint}).status_code == 302
    again = client.post(f"/staff/batches/{batch.id}/approve", data={"fingerprint": fingerprint})
    assert again.status_code == 409
    assert "already been approved" in again.get_data(as_text=True)
    assert len(_notifications(batch)) == 3 and dispatched == [batch.id]


def test_a_third_admin_cannot_approve_a_batch_already_approved(app, second_admin, batch, dispatched):
    client, _approver = second_admin
    _approve(client, batch)
    third = app.test_client()
    sign_in_staff(third, "admin")
    assert _approve(third, batch).status_code == 409


def test_a_batch_changed_after_the_approver_looked_is_not_approved(admin, second_admin, batch, dispatched):
    creator_client, _creator = admin
    client, _approver = second_admin
    seen = batch_fingerprint(batch)
    creator_client.post(f"/staff/batches/{batch.id}/audience", data={"countries": "US"})
    response = client.post(f"/staff/batches/{batch.id}/approve", data={"fingerprint": seen})
    assert response.status_code == 409
    assert "changed after you opened" in response.get_data(as_text=True)
    assert _notifications(batch) == []


def test_an_empty_audience_cannot_be_approved(second_admin, incident, admin, dispatched):
    client, _approver = second_admin
    _c, creator = admin
    batch = make_batch(incident, make_template(incident), creator, audience=Audience(countries=("ZZ",)))
    response = _approve(client, batch)
    assert response.status_code == 409 and "Nobody is in this batch" in response.get_data(as_text=True)
    assert db.session.get(Batch, batch.id).status == BatchStatus.DRAFT


def test_a_batch_scheduled_for_later_is_scheduled_not_sent(admin, second_admin, batch, dispatched):
    creator_client, _creator = admin
    later = (utcnow() + timedelta(days=1)).replace(second=0, microsecond=0)
    response = creator_client.post(
        f"/staff/batches/{batch.id}/schedule", data={"when": "later", "send_at": later.strftime("%Y-%m-%dT%H:%M")}
    )
    assert response.status_code == 302
    client, _approver = second_admin
    assert _approve(client, batch).status_code == 302
    batch = db.session.get(Batch, batch.id)
    assert batch.status == BatchStatus.SCHEDULED and batch.scheduled_for == later
    assert len(_notifications(batch)) == 3 and dispatched == []


def test_a_time_in_the_past_cannot_be_scheduled(admin, batch):
    client, _user = admin
    response = client.post(f"/staff/batches/{batch.id}/schedule", data={"when": "later", "send_at": ""})
    assert response.status_code == 400 and "Enter the date and time to send" in response.get_data(as_text=True)
    response = client.post(f"/staff/batches/{batch.id}/schedule", data={"when": "later", "send_at": "2020-01-01T09:00"})
    assert response.status_code == 400 and "must be in the future" in response.get_data(as_text=True)


def test_language_is_the_preferred_one_when_the_template_has_it_else_english(
    second_admin, admin, incident, person_in, dispatched
):
    client, _approver = second_admin
    _c, creator = admin
    person_in("C-PT", language="pt-BR")
    person_in("C-FR", language="fr")
    person_in("C-EN", language="en")
    body = "\n\n".join(f"## Parte {n}\n\nTexto." for n in range(5))
    version = make_template(incident, languages={"en": ("Notice", body), "pt": ("Aviso", body)})
    batch = make_batch(incident, version, creator)
    _approve(client, batch)
    languages = dict(
        db.session.execute(
            select(Notification.person_id, Notification.language).where(Notification.batch_id == batch.id)
        ).all()
    )
    from portal.models import Person

    by_contractor = dict(db.session.execute(select(Person.contractor_id, Person.id)).all())
    assert languages[by_contractor["C-PT"]] == "pt"
    assert languages[by_contractor["C-FR"]] == "en"
    assert languages[by_contractor["C-EN"]] == "en"


@pytest.mark.parametrize("role", ["legal", "support", "auditor"])
def test_other_roles_cannot_create_approve_send_or_cancel(app, role, batch, incident):
    client = app.test_client()
    sign_in_staff(client, role)
    version_id = batch.template_version_id
    attempts = [
        client.get("/staff/batches/"),
        client.get("/staff/batches/new"),
        client.post("/staff/batches/new", data={"name": "x", "template_version": version_id, "channel": "email"}),
        client.get(f"/staff/batches/{batch.id}"),
        client.post(f"/staff/batches/{batch.id}/approve", data={"fingerprint": batch_fingerprint(batch)}),
        client.post(f"/staff/batches/{batch.id}/test", data={}),
        client.post(f"/staff/batches/{batch.id}/retry", data={}),
        client.post(f"/staff/batches/{batch.id}/unknown/resend", data={}),
        client.post(f"/staff/batches/{batch.id}/cancel", data={}),
        client.post(f"/staff/batches/{batch.id}/start", data={}),
        client.get(f"/staff/batches/{batch.id}/letters.csv"),
        client.get(f"/staff/batches/{batch.id}/progress.json"),
    ]
    assert [r.status_code for r in attempts] == [403] * len(attempts)
    assert db.session.scalar(select(func.count(Batch.id))) == 1
    assert db.session.get(Batch, batch.id).status == BatchStatus.DRAFT


def test_cancelling_a_draft_records_who_did_it(admin, batch):
    client, user = admin
    page = client.get(f"/staff/batches/{batch.id}/cancel").get_data(as_text=True)
    assert "Are you sure you want to cancel this batch?" in page
    assert client.post(f"/staff/batches/{batch.id}/cancel", data={}).status_code == 302
    batch = db.session.get(Batch, batch.id)
    db.session.refresh(batch)
    assert (batch.status, batch.cancelled_by_id) == (BatchStatus.CANCELLED, user.id)
    assert client.post(f"/staff/batches/{batch.id}/cancel", data={}).status_code == 409


def test_cancelling_an_approved_batch_stops_every_queued_notification(admin, second_admin, batch, dispatched):
    client, _approver = second_admin
    _approve(client, batch)
    creator_client, creator = admin
    response = creator_client.post(f"/staff/batches/{batch.id}/cancel", data={})
    assert response.status_code == 302
    assert {n.status for n in _notifications(batch)} == {NotificationStatus.CANCELLED}
    batch = db.session.get(Batch, batch.id)
    assert (batch.status, batch.cancelled_by_id) == (BatchStatus.CANCELLED, creator.id)
    details = db.session.scalar(select(AuditEvent.details).where(AuditEvent.action == AuditAction.BATCH_CANCELLED))
    assert '"notifications_stopped": 3' in details


def test_a_letter_batch_cannot_be_scheduled(admin, incident):
    client, creator = admin
    batch = make_batch(incident, make_template(incident), creator, channel=Channel.LETTER)
    response = client.post(f"/staff/batches/{batch.id}/schedule", data={"when": "now"})
    assert response.status_code == 400 and "Letter batches are not scheduled" in response.get_data(as_text=True)


def test_if_sending_fails_to_start_the_approval_stands_and_the_page_offers_to_start_it(
    second_admin, batch, monkeypatch
):
    client, _approver = second_admin

    def broken(batch_id):
        raise RuntimeError("broker unreachable")

    monkeypatch.setattr(sending, "dispatch_batch", broken)
    response = _approve(client, batch)
    assert response.status_code == 302
    batch = db.session.get(Batch, batch.id)
    db.session.refresh(batch)
    assert batch.status == BatchStatus.APPROVED and len(_notifications(batch)) == 3
    page = client.get(f"/staff/batches/{batch.id}").get_data(as_text=True)
    assert "Sending did not start" in page and "Start sending" in page
    started = []
    monkeypatch.setattr(sending, "dispatch_batch", started.append)
    assert "Start sending this batch?" in client.get(f"/staff/batches/{batch.id}/start").get_data(as_text=True)
    assert client.post(f"/staff/batches/{batch.id}/start", data={}).status_code == 302
    assert started == [batch.id]


def test_a_draft_cannot_be_started(admin, batch):
    client, _user = admin
    assert client.post(f"/staff/batches/{batch.id}/start", data={}).status_code == 409


def test_people_added_after_the_approver_looked_make_them_look_again(second_admin, batch, person_in, dispatched):
    client, _approver = second_admin
    seen = batch_fingerprint(batch)
    person_in("C-LATE")  # imported while the approver was reading "3 people"
    response = client.post(f"/staff/batches/{batch.id}/approve", data={"fingerprint": seen})
    assert response.status_code == 409 and _notifications(batch) == []
    assert _approve(client, batch).status_code == 302
    assert len(_notifications(batch)) == 4

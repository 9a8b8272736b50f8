"""The batch page: counts, progress, failures, unknowns with their confirmation pages, who did what."""

import pytest
from sqlalchemy import select

from portal.batches.progress import width_step
from portal.batches.service import batch_fingerprint
from portal.constants import AuditAction, BatchStatus, NotificationStatus
from portal.extensions import db
from portal.models import AuditEvent, Batch, Notification
from tests.batches.helpers import make_batch, make_template, notify

pytestmark = pytest.mark.usefixtures("app_ctx")


@pytest.fixture
def sent_batch(incident, admin, person_in):
    """An email batch part-way through: 2 delivered, 1 failed, 1 bounced, 2 unknown, 1 queued."""
    _client, creator = admin
    batch = make_batch(incident, make_template(incident), creator, status=BatchStatus.SENDING)
    outcomes = [
        NotificationStatus.DELIVERED,
        NotificationStatus.DELIVERED,
        NotificationStatus.FAILED,
        NotificationStatus.BOUNCED,
        NotificationStatus.UNKNOWN,
        NotificationStatus.UNKNOWN,
        NotificationStatus.QUEUED,
    ]
    for n, status in enumerate(outcomes):
        reason = {NotificationStatus.FAILED: "400: invalid email", NotificationStatus.BOUNCED: "550 no such user"}
        notify(batch, person_in(f"C-{n}"), status, last_error=reason.get(status, ""))
    batch.audience_count = len(outcomes)
    db.session.commit()
    return batch


def test_width_steps_are_multiples_of_5_and_never_hide_a_nonzero_count():
    assert [width_step(n, 7) for n in (0, 1, 2, 7)] == [0, 15, 30, 100]
    assert width_step(1, 10_000) == 5
    assert width_step(0, 0) == 0


def test_the_page_shows_counts_progress_failures_and_unknowns_without_inline_styles(admin, sent_batch):
    client, _user = admin
    page = client.get(f"/staff/batches/{sent_batch.id}").get_data(as_text=True)
    assert '<progress id="batch-progress-bar" class="progress-bar" max="7" value="6">' in page
    assert 'data-outcome="delivered"' in page and "bar-w-30" in page
    assert "400: invalid email" in page and "550 no such user" in page
    assert "Retry failed" in page and "Resend them" in page and "Mark them as sent" in page
    assert "Refresh" in page and "js/batch-progress.js" in page
    assert "style=" not in page


def test_the_progress_endpoint_gives_the_same_numbers_as_json(admin, sent_batch):
    client, _user = admin
    response = client.get(f"/staff/batches/{sent_batch.id}/progress.json")
    data = response.get_json()
    assert response.headers["Cache-Control"] == "no-store"
    assert (data["status"], data["total"], data["done"], data["percent"], data["finished"]) == (
        "sending",
        7,
        6,
        85,
        False,
    )
    counts = {o["status"]: (o["count"], o["step"]) for o in data["outcomes"]}
    assert counts["delivered"] == (2, 30) and counts["unknown"] == (2, 30) and counts["queued"] == (1, 15)


def test_retry_failed_asks_first_then_queues_them_again(admin, sent_batch):
    client, _user = admin
    page = client.get(f"/staff/batches/{sent_batch.id}/retry").get_data(as_text=True)
    assert "Retry the failed notifications?" in page and "C-2" in page
    assert (
        db.session.scalar(select(Notification.status).where(Notification.last_error == "400: invalid email"))
        == NotificationStatus.FAILED
    )
    assert client.post(f"/staff/batches/{sent_batch.id}/retry", data={}).status_code == 302
    db.session.expire_all()
    rows = db.session.scalars(select(Notification).where(Notification.batch_id == sent_batch.id))
    statuses = [n.status for n in rows]
    assert NotificationStatus.FAILED not in statuses
    assert (
        db.session.scalar(select(AuditEvent.details).where(AuditEvent.action == AuditAction.BATCH_FAILED_RETRIED))
        == '{"notifications": 1}'
    )


def test_marking_unknown_notifications_as_sent_is_confirmed_then_recorded(admin, sent_batch):
    client, _user = admin
    page = client.get(f"/staff/batches/{sent_batch.id}/unknown/mark_sent").get_data(as_text=True)
    assert "Mark these notifications as sent?" in page and "C-4" in page and "C-5" in page
    assert (
        client.post(f"/staff/batches/{sent_batch.id}/unknown/mark_sent", data={"notifications": ""}).status_code == 302
    )
    db.session.expire_all()
    assert (
        db.session.scalar(
            select(db.func.count(Notification.id)).where(
                Notification.batch_id == sent_batch.id, Notification.status == NotificationStatus.UNKNOWN
            )
        )
        == 0
    )
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == AuditAction.BATCH_UNKNOWN_RESOLVED))
    assert '"action": "mark_sent"' in event.details and '"notifications": 2' in event.details


def test_resending_one_chosen_unknown_notification_leaves_the_other(admin, sent_batch, monkeypatch):
    from portal.sending import service

    monkeypatch.setattr(service, "wake_sender", lambda *args, **kwargs: None)
    client, _user = admin
    unknown = db.session.scalars(
        select(Notification).where(
            Notification.batch_id == sent_batch.id, Notification.status == NotificationStatus.UNKNOWN
        )
    ).all()
    chosen = unknown[0].id
    page = client.get(f"/staff/batches/{sent_batch.id}/unknown/resend?notification={chosen}").get_data(as_text=True)
    assert "1 notification is queued again. This person may already have the notice" in page
    client.post(f"/staff/batches/{sent_batch.id}/unknown/resend", data={"notifications": str(chosen)})
    db.session.expire_all()
    assert db.session.get(Notification, chosen).status != NotificationStatus.UNKNOWN
    assert db.session.get(Notification, unknown[1].id).status == NotificationStatus.UNKNOWN


def test_a_stopped_batch_shows_why(admin, sent_batch):
    client, _user = admin
    sent_batch.status, sent_batch.stop_reason = BatchStatus.STOPPED, "SendGrid answered 401: check the API key."
    db.session.commit()
    page = client.get(f"/staff/batches/{sent_batch.id}").get_data(as_text=True)
    assert "Sending stopped." in page and "SendGrid answered 401" in page


def test_the_page_says_who_created_approved_and_cancelled(admin, second_admin, incident, person_in, monkeypatch):
    from portal.sending import service as sending

    monkeypatch.setattr(sending, "dispatch_batch", lambda batch_id: None)
    client, creator = admin
    approver_client, approver = second_admin
    person_in("C-1")
    version = make_template(incident)
    client.post("/staff/batches/new", data={"name": "First", "template_version": version.id, "channel": "email"})
    batch = db.session.scalar(select(Batch))
    client.post(f"/staff/batches/{batch.id}/test", data={})
    db.session.refresh(batch)
    approver_client.post(f"/staff/batches/{batch.id}/approve", data={"fingerprint": batch_fingerprint(batch)})
    client.post(f"/staff/batches/{batch.id}/cancel", data={})
    page = client.get(f"/staff/batches/{batch.id}").get_data(as_text=True)
    history = page.split("History", 1)[1]
    for line in ("Created", "Sent a test to themselves", "Approved", "Cancelled"):
        assert line in history
    assert creator.email in page and approver.email in page
    assert page.count(approver.email) >= 2  # "Approved by", and the history


def test_a_batch_list_shows_every_batch(admin, incident):
    client, creator = admin
    version = make_template(incident)
    make_batch(incident, version, creator, name="Kenya first")
    make_batch(incident, version, creator, name="Letters")
    page = client.get("/staff/batches/").get_data(as_text=True)
    assert "Kenya first" in page and "Letters" in page
    assert db.session.scalar(select(db.func.count(Batch.id))) == 2

"""An admin's double click approves, cancels, retries or resolves a batch once.

Eight tabs of one signed-in admin post the confirmation at the same moment to a real threaded
server with CSRF on. One wins; the others get the "You cannot do that" page (409) saying why;
the batch changes once and the audit log has one row for it, in the same transaction.
"""

import pytest
from sqlalchemy import func, select

from portal.constants import AuditAction, BatchStatus, MailKind, NotificationStatus, Role
from portal.extensions import db
from portal.models import AuditEvent, Batch, Notification, OutboxMessage
from portal.staff.service import create_staff_user
from tests.batches.helpers import make_batch, make_template, notify
from tests.claims.test_one_shot import TABS
from tests.factories import STAFF_PASSWORD, make_staff_user
from tests.live import one_winner, race

pytestmark = pytest.mark.usefixtures("app_ctx")


def count(model, *conditions) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model).where(*conditions))


def audits(action, batch) -> int:
    return count(AuditEvent, AuditEvent.action == str(action), AuditEvent.target == f"batch:{batch.id}")


def rows(batch, status) -> int:
    return count(Notification, Notification.batch_id == batch.id, Notification.status == str(status))


@pytest.fixture
def admin_tabs(live_browser):
    user, secret = create_staff_user("admin-race@staff.example.org", Role.ADMIN, STAFF_PASSWORD)
    live_browser.sign_in_staff(user.email, secret)
    return [live_browser.tab() for _ in range(TABS)]


@pytest.fixture
def sending_batch(incident, person_in):
    """A batch part-way through: one failed, two unknown, two queued, one delivered."""
    batch = make_batch(incident, make_template(incident), make_staff_user(), status=BatchStatus.SENDING)
    for n, status in enumerate(("failed", "unknown", "unknown", "queued", "queued", "delivered")):
        notify(batch, person_in(f"C-{n}"), status, last_error="400: invalid email" if status == "failed" else "")
    return batch


def refused(answers) -> bool:
    return all(a.status == 409 and "You cannot do that" in a.text for a in answers)


def test_concurrent_approvals_freeze_the_audience_once(incident, person_in, admin_tabs):
    for n in range(3):
        person_in(f"A-{n}")
    batch = make_batch(incident, make_template(incident), make_staff_user())
    answers = race(admin_tabs, f"/staff/batches/{batch.id}/approve")

    assert refused(one_winner(answers, lambda a: a.status == 302))
    assert count(Notification, Notification.batch_id == batch.id) == 3
    assert audits(AuditAction.BATCH_APPROVED, batch) == 1
    assert count(OutboxMessage, OutboxMessage.kind == MailKind.NOTICE) == 3  # each person mailed once


def test_concurrent_cancels_cancel_once_with_one_audit_row(sending_batch, admin_tabs):
    answers = race(admin_tabs, f"/staff/batches/{sending_batch.id}/cancel")

    assert refused(one_winner(answers, lambda a: a.status == 302))
    db.session.expire_all()
    assert db.session.get(Batch, sending_batch.id).status == BatchStatus.CANCELLED
    assert rows(sending_batch, NotificationStatus.CANCELLED) == 2
    assert audits(AuditAction.BATCH_CANCELLED, sending_batch) == 1


def test_concurrent_retries_queue_the_failed_once(sending_batch, admin_tabs, monkeypatch):
    from portal.sending import service

    monkeypatch.setattr(service, "wake_sender", lambda *args, **kwargs: None)  # count the queue, not the mail
    answers = race(admin_tabs, f"/staff/batches/{sending_batch.id}/retry")

    assert refused(one_winner(answers, lambda a: a.status == 302))
    assert rows(sending_batch, NotificationStatus.FAILED) == 0 and rows(sending_batch, NotificationStatus.QUEUED) == 3
    assert audits(AuditAction.BATCH_FAILED_RETRIED, sending_batch) == 1


@pytest.mark.parametrize(("action", "becomes"), [("resend", "queued"), ("mark_sent", "accepted")])
def test_concurrent_decisions_on_unknown_notifications_are_made_once(
    sending_batch, admin_tabs, monkeypatch, action, becomes
):
    from portal.sending import service

    monkeypatch.setattr(service, "wake_sender", lambda *args, **kwargs: None)
    answers = race(admin_tabs, f"/staff/batches/{sending_batch.id}/unknown/{action}")

    assert refused(one_winner(answers, lambda a: a.status == 302))
    assert rows(sending_batch, NotificationStatus.UNKNOWN) == 0
    assert audits(AuditAction.BATCH_UNKNOWN_RESOLVED, sending_batch) == 1
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == AuditAction.BATCH_UNKNOWN_RESOLVED))
    assert '"notifications": 2' in event.details
    assert rows(sending_batch, becomes) == (2 if becomes == "accepted" else 4)

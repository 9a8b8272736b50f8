"""Support send a caller their notice again from the person page: by email or by letter, once, audited."""

import json
import re

from sqlalchemy import func, select

from portal.constants import NoticeCodeSource, NotificationStatus, Role
from portal.extensions import db
from portal.models import AuditEvent, Batch, LetterRequest, NoticeCode, Notification, OutboxMessage, Person
from portal.staff.resend import NOTICE_RESENT
from portal.trust.constants import LetterRequestSource, TrustAudit
from tests.factories import make_batch_with_notifications, sign_in_staff

BIRTH_DATE = "1990-03-27"
FRENCH_SUBJECT = "Avis de violation de données : ((incident_title))"


def _person_with_a_notice(language="en", email=True) -> Person:
    contents = {"en": ("Notice of Data Breach: ((incident_title))", "Dear ((first_name)), code ((notice_code))")}
    contents["fr"] = (FRENCH_SUBJECT, "Bonjour ((first_name)), code ((notice_code))")
    batch = make_batch_with_notifications(
        count=1, status="sent", languages=(language,), contents=contents, emails=email
    )
    person = db.session.get(
        Person, db.session.scalar(select(Notification.person_id).where(Notification.batch_id == batch.id))
    )
    person.encrypt_field("date_of_birth", BIRTH_DATE)
    person.encrypt_field("address", json.dumps({"line1": "1 Moi Avenue", "city": "Nairobi", "postal_code": "00100"}))
    db.session.commit()
    return person


def _check_caller(client, person, answer=BIRTH_DATE):
    client.get(f"/staff/people/{person.uid}")
    return client.post(f"/staff/people/{person.uid}/check-birth-date", data={"date_of_birth": answer})


def _resend(client, person, channel, reason="The caller says the email never arrived"):
    base = f"/staff/people/{person.uid}/resend/{channel}"
    client.get(base)
    check = client.post(base, data={"reason": reason})
    assert check.status_code == 200 and "Check your answers" in check.get_data(as_text=True), check.status_code
    return client.post(f"{base}/confirm", data={"reason": reason})


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_nothing_can_be_sent_again_before_the_caller_s_date_of_birth_matches(app_ctx, client):
    person = _person_with_a_notice()
    sign_in_staff(client, Role.SUPPORT)
    page = client.get(f"/staff/people/{person.uid}/resend/email").get_data(as_text=True)
    assert "First check the caller" in page and 'name="reason"' not in page
    assert _check_caller(client, person, "1991-01-01").status_code == 200  # "It does not match."
    refused = client.post(f"/staff/people/{person.uid}/resend/email/confirm", data={"reason": "asked"})
    assert refused.status_code == 400
    assert _count(Batch) == 1 and _count(AuditEvent, AuditEvent.action == NOTICE_RESENT) == 0


def test_resend_by_email_sends_one_notice_with_a_new_code_in_the_person_s_language(app_ctx, client):
    person = _person_with_a_notice(language="fr")
    old_codes = _count(NoticeCode, NoticeCode.person_id == person.id)
    agent = sign_in_staff(client, Role.SUPPORT)
    assert "It matches." in _check_caller(client, person).get_data(as_text=True)
    answer = _resend(client, person, "email")
    assert answer.status_code == 302 and answer.location.endswith(f"/staff/people/{person.uid}#resend")
    batch = db.session.scalars(select(Batch).order_by(Batch.id.desc())).first()
    assert (batch.created_by_id, batch.approved_by_id, batch.audience_count) == (agent.id, agent.id, 1)
    notification = db.session.scalar(select(Notification).where(Notification.batch_id == batch.id))
    assert notification.person_id == person.id and notification.language == "fr"
    assert notification.status == NotificationStatus.DELIVERED  # the outbox backend delivers at once
    mail = db.session.scalar(select(OutboxMessage).where(OutboxMessage.notification_id == notification.id))
    assert mail.to_address == person.email and mail.subject.startswith("Avis de violation")
    codes = db.session.scalars(select(NoticeCode).where(NoticeCode.person_id == person.id)).all()
    assert len(codes) == old_codes + 1 and codes[-1].source == NoticeCodeSource.NOTICE
    assert all(code.revoked_at is None for code in codes)  # older codes stop only when the new one is used
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == NOTICE_RESENT))
    assert event.target == f"person:{person.uid}" and event.actor == f"staff:{agent.id}"
    assert json.loads(event.details) == {
        "batch": batch.id,
        "channel": "email",
        "reason": "The caller says the email never arrived",
    }


def test_a_second_confirmation_within_minutes_sends_nothing_more(app_ctx, client):
    person = _person_with_a_notice()
    sign_in_staff(client, Role.SUPPORT)
    _check_caller(client, person)
    assert _resend(client, person, "email").status_code == 302
    again = _resend(client, person, "email")
    assert again.status_code == 302
    assert "less than 10 minutes ago" in client.get(again.location).get_data(as_text=True)
    assert _count(Notification, Notification.person_id == person.id) == 2  # the first notice and one resend
    assert _count(AuditEvent, AuditEvent.action == NOTICE_RESENT) == 1


def test_resend_by_letter_queues_the_person_for_the_next_letter_file(app_ctx, client):
    person = _person_with_a_notice(email=False)
    sign_in_staff(client, Role.SUPPORT)
    _check_caller(client, person)
    email_page = client.get(f"/staff/people/{person.uid}/resend/email").get_data(as_text=True)
    assert "no email address on the register" in email_page
    assert _resend(client, person, "letter", reason="No email; asked for a letter").status_code == 302
    queued = db.session.scalars(select(LetterRequest).where(LetterRequest.person_id == person.id)).all()
    assert [(r.source, r.status) for r in queued] == [(LetterRequestSource.SUPPORT, "queued")]
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == TrustAudit.LETTER_REQUESTED))
    assert json.loads(event.details) == {"reason": "No email; asked for a letter", "source": "support"}

    from portal.trust.letter_file import make_letter_request_file, read_letter_request_file
    from tests.factories import make_staff_user

    made = make_letter_request_file(make_staff_user().id)  # the next file an admin approves
    assert made.letters == 1 and person.contractor_id.encode() in read_letter_request_file(made)[0]


def test_a_person_never_sent_a_notice_has_nothing_to_send_again(app_ctx, client):
    from tests.factories import make_person

    person = make_person(date_of_birth=BIRTH_DATE)
    sign_in_staff(client, Role.SUPPORT)
    _check_caller(client, person)
    page = client.get(f"/staff/people/{person.uid}/resend/letter").get_data(as_text=True)
    assert "No notice has been sent to this person yet" in page and 'name="reason"' not in page


def test_the_reason_is_required(app_ctx, client):
    person = _person_with_a_notice()
    sign_in_staff(client, Role.SUPPORT)
    _check_caller(client, person)
    client.get(f"/staff/people/{person.uid}/resend/email")
    answer = client.post(f"/staff/people/{person.uid}/resend/email", data={"reason": "  "})
    assert answer.status_code == 400 and "Enter why you are sending the notice again" in answer.get_data(as_text=True)


def test_auditors_and_legal_cannot_send_a_notice_again(app_ctx, client):
    person = _person_with_a_notice()
    sign_in_staff(client, Role.AUDITOR)
    assert client.get(f"/staff/people/{person.uid}/resend/email").status_code == 403


def test_resends_are_throttled_per_person_whoever_asks(app, app_ctx, client, monkeypatch):
    monkeypatch.setitem(app.config, "SUPPORT_RESEND_LIMIT_PER_PERSON", "1 per day")
    person = _person_with_a_notice()
    sign_in_staff(client, Role.SUPPORT)
    _check_caller(client, person)
    assert _resend(client, person, "email").status_code == 302
    base = f"/staff/people/{person.uid}/resend/letter"
    client.get(base)
    client.post(base, data={"reason": "and a letter"})
    assert client.post(f"{base}/confirm", data={"reason": "and a letter"}).status_code == 429


def test_legal_see_the_person_page_without_the_resend_actions(app_ctx, client):
    person = _person_with_a_notice()
    sign_in_staff(client, Role.LEGAL)
    page = client.get(f"/staff/people/{person.uid}").get_data(as_text=True)
    assert "Send the notice again" not in page and "/resend/" not in page
    assert client.get(f"/staff/people/{person.uid}/resend/email").status_code == 403


def test_change_on_the_check_page_brings_back_the_reason_written(app_ctx, client):
    """ "Change" used to be a link: the reason form came back empty and the agent typed it again."""
    person = _person_with_a_notice()
    sign_in_staff(client, Role.SUPPORT)
    _check_caller(client, person)
    base = f"/staff/people/{person.uid}/resend/email"
    check = client.post(base, data={"reason": "Caller's mailbox was full"}).get_data(as_text=True)
    change = re.search(r'<form method="post" action="([^"]+)" class="inline-form">(.*?)</form>', check, re.S)
    assert change.group(1) == base and 'name="change"' in change.group(2)
    back = client.post(base, data={"reason": "Caller's mailbox was full", "change": "1"})
    page = back.get_data(as_text=True)
    assert back.status_code == 200 and "Check your answers" not in page
    assert re.search(r'<textarea[^>]*name="reason"[^>]*>\s*Caller&#39;s mailbox was full</textarea>', page), page
    assert _count(AuditEvent, AuditEvent.action == NOTICE_RESENT) == 0  # nothing sent by going back

"""Default reminder templates: each of the four reminders in all seven languages, offered on a reminder
batch, one click pins the draft to it, and what the person gets is that reminder in their language."""

import pytest
from sqlalchemy import func, select

from portal.batches.audience import Audience
from portal.batches.reminder_templates import DEFAULT_REMINDERS, reminder_text
from portal.constants import AuditAction, Channel, Reminder
from portal.extensions import db
from portal.mail.rendering import starter_notice
from portal.models import AuditEvent, Batch, NoticeTemplateContent, NoticeTemplateVersion
from portal.notice_templates.service import check_content
from tests.batches.helpers import make_batch, make_template

pytestmark = pytest.mark.usefixtures("app_ctx")
LANGUAGES = ("en", "es", "pt", "fr", "hi", "fil", "sw")
PLACEHOLDER = "(("


@pytest.mark.parametrize("reminder", DEFAULT_REMINDERS)
@pytest.mark.parametrize("language", LANGUAGES)
def test_each_default_reminder_is_a_valid_template_in_each_language(app, reminder, language):
    subject, body = reminder_text(reminder, language)
    assert check_content(subject, body, language).problems == {}
    # The starter notice's placeholders a person needs: their code, where to use it, who to ask.
    for name in ("notice_code", "check_url", "portal_url", "contact_email", "first_name"):
        assert f"(({name}))" in body
    assert subject != starter_notice(language)[0]


def test_a_reminder_in_another_language_is_not_left_in_english():
    english = reminder_text(Reminder.CLAIM_NOT_SUBMITTED, "en")[1]
    for language in LANGUAGES[1:]:
        assert reminder_text(Reminder.CLAIM_NOT_SUBMITTED, language)[1] != english


def _reminder_batch(incident, admin, reminder):
    _client, user = admin
    return make_batch(
        incident, make_template(incident), user, channel=Channel.EMAIL, audience=Audience(reminder=reminder)
    )


def test_a_reminder_batch_is_offered_its_default_and_one_click_pins_the_draft_to_it(incident, admin):
    client, _user = admin
    batch = _reminder_batch(incident, admin, Reminder.MONITORING_NOT_ENROLLED)
    page = client.get(f"/staff/batches/{batch.id}").get_data(as_text=True)
    assert "Use the default reminder for this batch" in page and "Eligible for monitoring but not enrolled" in page
    answer = client.post(f"/staff/batches/{batch.id}/default-reminder")
    assert answer.status_code == 302
    db.session.expire_all()
    version = db.session.get(NoticeTemplateVersion, db.session.get(Batch, batch.id).template_version_id)
    contents = {
        c.language: c
        for c in db.session.scalars(select(NoticeTemplateContent).where(NoticeTemplateContent.version_id == version.id))
    }
    assert sorted(contents) == sorted(LANGUAGES)
    assert contents["sw"].subject.startswith("Kikumbusho: ufuatiliaji wa utambulisho")
    assert "((enrollment_deadline))" in contents["en"].body_markdown
    again = client.get(f"/staff/batches/{batch.id}").get_data(as_text=True)
    assert "Use the default reminder for this batch" not in again  # it uses it now: no second template
    assert client.post(f"/staff/batches/{batch.id}/default-reminder").status_code == 409
    actions = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.seq.desc()).limit(2)).all()
    assert actions == [AuditAction.BATCH_TEMPLATE_CHANGED, AuditAction.TEMPLATE_CREATED]


def test_a_batch_without_a_reminder_audience_is_not_offered_one(incident, admin):
    client, user = admin
    batch = make_batch(incident, make_template(incident), user, channel=Channel.EMAIL)
    assert "default reminder" not in client.get(f"/staff/batches/{batch.id}").get_data(as_text=True)
    assert client.post(f"/staff/batches/{batch.id}/default-reminder").status_code == 409
    templates = db.session.scalar(select(func.count()).select_from(NoticeTemplateVersion))
    assert templates == 1


def test_an_approved_batch_keeps_its_template(incident, admin):
    client, _user = admin
    batch = _reminder_batch(incident, admin, Reminder.NEVER_VERIFIED)
    client.get(f"/staff/batches/{batch.id}")
    pinned = batch.template_version_id
    db.session.get(Batch, batch.id).status = "approved"
    db.session.commit()
    assert client.post(f"/staff/batches/{batch.id}/default-reminder").status_code == 409
    db.session.expire_all()
    assert db.session.get(Batch, batch.id).template_version_id == pinned


def test_the_person_gets_the_reminder_in_their_language_with_a_new_code(incident, admin, second_admin, person_in):
    from portal.batches.service import approve_batch, batch_fingerprint
    from portal.constants import ClaimStatus
    from portal.models import Claim, OutboxMessage

    person = person_in("C-FR", language="fr")
    db.session.add(Claim(reference="R-FR", person_id=person.id, incident_id=incident.id, status=ClaimStatus.DRAFT))
    db.session.commit()
    client, _user = admin
    batch = _reminder_batch(incident, admin, Reminder.CLAIM_NOT_SUBMITTED)
    client.get(f"/staff/batches/{batch.id}")
    assert client.post(f"/staff/batches/{batch.id}/default-reminder").status_code == 302
    db.session.expire_all()
    batch = db.session.get(Batch, batch.id)
    approve_batch(batch.id, second_admin[1], batch_fingerprint(batch))
    mail = db.session.scalar(select(OutboxMessage).where(OutboxMessage.to_address == person.email))
    assert mail.subject == f"Rappel : votre réclamation n'est pas encore envoyée – {incident.title}"
    assert "Votre code de notification" in mail.body_text and "((" not in mail.body_text

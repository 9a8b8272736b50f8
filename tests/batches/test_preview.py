"""Previewing a batch's notice row by row, and the admin's test send."""

import pytest
from sqlalchemy import select

from portal.batches.service import batch_fingerprint
from portal.constants import AuditAction, MailKind
from portal.extensions import db
from portal.mail.rendering import notice_headings, starter_body, starter_notice
from portal.models import AuditEvent, NoticeTemplateVersion, OutboxMessage, Person
from portal.notice_templates.service import SAMPLE_NOTICE_CODE
from portal.sending import service as sending
from tests.batches.helpers import make_batch, make_template

pytestmark = pytest.mark.usefixtures("app_ctx")


@pytest.fixture
def batch(incident, admin, person_in):
    _client, creator = admin
    person_in("C-1", first_name="Amina", categories=("national_id",))
    person_in("C-2", first_name="Bola", categories=("payment",))
    person_in("C-3", first_name="Chidi", categories=("video",))
    return make_batch(incident, make_template(incident), creator)


def _uid(contractor_id: str) -> str:
    return db.session.scalar(select(Person.uid).where(Person.contractor_id == contractor_id))


def test_preview_walks_the_recipients_row_by_row(admin, batch):
    client, _user = admin
    first = client.get(f"/staff/batches/{batch.id}/preview").get_data(as_text=True)
    assert "Recipient 1 of 3" in first and "Notice of data breach for Amina" in first
    assert "National identity or tax number" in first and SAMPLE_NOTICE_CODE in first
    assert "Previous recipient" not in first
    assert f"person={_uid('C-2')}" in first

    second = client.get(f"/staff/batches/{batch.id}/preview?person={_uid('C-2')}").get_data(as_text=True)
    assert "Recipient 2 of 3" in second and "for Bola" in second and "Bank and payout details" in second
    assert f"person={_uid('C-1')}" in second and f"person={_uid('C-3')}" in second

    last = client.get(f"/staff/batches/{batch.id}/preview?person={_uid('C-3')}").get_data(as_text=True)
    assert "Recipient 3 of 3" in last and "Next recipient" not in last
    # Ids in the URL, never an email address or a name.
    assert "@example.org" not in last.split("<main", 1)[1].split("Notice of data breach", 1)[0]


def test_preview_jumps_to_a_contractor_id_and_refuses_someone_outside_the_batch(admin, batch):
    client, _user = admin
    page = client.get(f"/staff/batches/{batch.id}/preview?contractor_id=C-3").get_data(as_text=True)
    assert "Recipient 3 of 3" in page and "for Chidi" in page
    missing = client.get(f"/staff/batches/{batch.id}/preview?contractor_id=C-404")
    assert missing.status_code == 404 and "Contractor C-404 is not in this batch" in missing.get_data(as_text=True)
    assert client.get(f"/staff/batches/{batch.id}/preview?person=not-a-uid").status_code == 404


def test_a_test_send_lands_in_the_outbox_for_the_admin_only(admin, batch):
    client, user = admin
    response = client.post(f"/staff/batches/{batch.id}/test", data={"person": _uid("C-2")})
    assert response.status_code == 302
    [message] = db.session.scalars(select(OutboxMessage)).all()
    assert message.to_address == user.email
    assert message.subject == "[TEST] Notice of data breach for Bola"
    assert message.kind == MailKind.BATCH_TEST
    assert SAMPLE_NOTICE_CODE in message.body_text and "<html" in message.body_html
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == AuditAction.BATCH_TEST_SENT))
    assert event.target == f"batch:{batch.id}" and _uid("C-2") in event.details


def test_a_test_send_without_a_recipient_uses_the_first(admin, batch):
    client, _user = admin
    client.post(f"/staff/batches/{batch.id}/test", data={})
    assert db.session.scalar(select(OutboxMessage.subject)) == "[TEST] Notice of data breach for Amina"


def test_a_batch_pinned_to_version_1_still_renders_version_1_after_version_2(admin, second_admin, batch):
    client, _user = admin
    template_id = db.session.get(NoticeTemplateVersion, batch.template_version_id).template_id
    assert (
        client.post(
            f"/staff/templates/{template_id}/languages/en",
            data={"subject": "Version two for ((first_name))", "body": starter_body(), "based_on": "1"},
        ).status_code
        == 302
    )
    page = client.get(f"/staff/batches/{batch.id}/preview").get_data(as_text=True)
    assert "Notice of data breach for Amina" in page and "Version two" not in page
    # And what is sent after approval is version 1 too.
    approver, _approver_user = second_admin
    db.session.refresh(batch)
    approver.post(f"/staff/batches/{batch.id}/approve", data={"fingerprint": batch_fingerprint(batch)})
    subjects = set(db.session.scalars(select(OutboxMessage.subject)))
    assert subjects == {
        "Notice of data breach for Amina",
        "Notice of data breach for Bola",
        "Notice of data breach for Chidi",
    }
    after = client.get(f"/staff/batches/{batch.id}/preview?person={_uid('C-3')}").get_data(as_text=True)
    assert "Recipient 3 of 3" in after and "Version two" not in after
    assert sending.batch_status_counts(batch.id)["accepted"] + sending.batch_status_counts(batch.id)["delivered"] == 3


def test_preview_names_the_language_each_recipient_gets_in_that_language(incident, admin, person_in):
    client, creator = admin
    person_in("C-1", first_name="Amina", language="sw")
    person_in("C-2", first_name="Bola", language="hi")
    languages = {code: starter_notice(code) for code in ("en", "sw")}
    batch = make_batch(incident, make_template(incident, languages=languages), creator)
    first = client.get(f"/staff/batches/{batch.id}/preview").get_data(as_text=True)
    assert "Kiswahili (sw)" in first and notice_headings("sw")[0] in first
    second = client.get(f"/staff/batches/{batch.id}/preview?person={_uid('C-2')}").get_data(as_text=True)
    # No Hindi text in this template: English, and the preview says why.
    assert "English (en)" in second and "prefers हिन्दी (hi)" in second
    assert "What happened" in second

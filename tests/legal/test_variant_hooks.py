"""The jurisdiction hooks in the template editor (portal/notice_templates) and the batch freeze (portal/batches)."""

import pytest

from portal.constants import Role
from portal.extensions import db
from portal.mail.rendering import starter_body
from portal.models import NoticeTemplateVersion, Notification, OutboxMessage
from portal.notice_templates.service import create_template
from tests.factories import expose, make_incident, make_person, sign_in_staff

MA_BODY = """Dear ((first_name)),

## What information was involved

((exposed_categories))

## What you can do

You have the right to obtain a police report. You can place a security freeze on your credit report
free of charge: there is no fee to place, lift or remove one. Your notice code: ((notice_code))

## For more information

Write to ((contact_email)).
"""


@pytest.fixture
def template(app_ctx):
    incident = make_incident()
    for contractor_id, region in (("C-MA", "US-MA"), ("C-CA", "US-CA")):
        expose(make_person(contractor_id, country="US", region=region), incident, "contact")
    author = sign_in_staff(app_ctx.test_client(), Role.ADMIN)
    return create_template(incident.id, "Notice", "Notice of data breach", starter_body(), author)


def edit(client, template, body, jurisdiction="US-MA"):
    latest = max(v.version for v in db.session.query(NoticeTemplateVersion).filter_by(template_id=template.id))
    return client.post(
        f"/staff/templates/{template.id}/languages/en?jurisdiction={jurisdiction}",
        data={"subject": "Notice of data breach", "body": body, "based_on": str(latest)},
    )


def test_saving_a_massachusetts_variant_that_describes_the_breach_is_refused(client, template):
    sign_in_staff(client, Role.ADMIN)
    refused = edit(client, template, "## What happened\n\nHackers broke in.\n\n" + MA_BODY)
    assert refused.status_code == 400
    assert "must not include The nature of the breach" in refused.get_data(as_text=True)
    assert db.session.query(NoticeTemplateVersion).filter_by(template_id=template.id).count() == 1
    assert edit(client, template, MA_BODY).status_code == 302
    latest = db.session.query(NoticeTemplateVersion).filter_by(template_id=template.id, version=2).one()
    assert {(c.language, c.jurisdiction) for c in latest.contents} == {("en", ""), ("en", "US-MA")}


def test_approval_freezes_each_recipients_variant_and_the_notice_sent_is_that_variant(app, client, template):
    from portal.batches.service import approve_batch, batch_fingerprint, create_batch

    sign_in_staff(client, Role.ADMIN)
    assert edit(client, template, MA_BODY).status_code == 302
    version = db.session.query(NoticeTemplateVersion).filter_by(template_id=template.id, version=2).one()
    creator = sign_in_staff(app.test_client(), Role.ADMIN)
    approver = sign_in_staff(app.test_client(), Role.ADMIN)
    batch = create_batch("First notice", version.id, "email", creator)
    ma = client.get(f"/staff/batches/{batch.id}/preview?contractor_id=C-MA").get_data(as_text=True)
    assert "US-MA" in ma and "police report" in ma
    ca = client.get(f"/staff/batches/{batch.id}/preview?contractor_id=C-CA").get_data(as_text=True)
    assert "Default (no jurisdiction variant)" in ca and "What happened" in ca
    approve_batch(batch.id, approver, batch_fingerprint(batch))
    rows = {n.person_id: n.jurisdiction for n in db.session.query(Notification).filter_by(batch_id=batch.id)}
    by_contractor = {person_contractor(pid): code for pid, code in rows.items()}
    assert by_contractor == {"C-MA": "US-MA", "C-CA": ""}
    sent = {m.to_address: m.body_text for m in db.session.query(OutboxMessage)}
    assert "police report" in sent["c-ma@example.org"] and "What happened" not in sent["c-ma@example.org"]
    assert "What happened" in sent["c-ca@example.org"]


def person_contractor(person_id):
    from portal.models import Person

    return db.session.get(Person, person_id).contractor_id

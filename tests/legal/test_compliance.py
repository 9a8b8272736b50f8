"""Batch approval holds every recipient's notice to their own law: the Massachusetts case is blocked."""

from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from portal.batches.service import BatchBlocked, approve_batch, batch_fingerprint, create_batch
from portal.constants import Role
from portal.extensions import db
from portal.mail.rendering import starter_body
from portal.models import NoticeTemplateVersion, Notification
from portal.notice_templates.service import create_template, save_language
from portal.sending.claim import pick_content
from tests.factories import expose, make_incident, make_person, sign_in_staff
from tests.legal.test_variant_hooks import MA_BODY


@pytest.fixture
def setup(app_ctx):
    incident = make_incident()
    people = (("C-MA", "US-MA", "en"), ("C-MA2", "US-MA", "en"), ("C-MA-ES", "US-MA", "es"), ("C-KE", "", "en"))
    for contractor_id, region, language in people:
        person = make_person(contractor_id, country="US" if region else "KE", region=region)
        person.preferred_language = language
        expose(person, incident, "contact")
    db.session.commit()
    creator = sign_in_staff(app_ctx.test_client(), Role.ADMIN)
    approver = sign_in_staff(app_ctx.test_client(), Role.ADMIN)
    template = create_template(incident.id, "Notice", "Notice of data breach", starter_body(), creator)
    return SimpleNamespace(incident=incident, template=template, creator=creator, approver=approver)


def _latest(template):
    return max(
        db.session.scalars(select(NoticeTemplateVersion).filter_by(template_id=template.id)), key=lambda v: v.version
    )


def _notifications(batch) -> int:
    return db.session.scalar(select(func.count()).select_from(Notification).where(Notification.batch_id == batch.id))


def test_a_version_without_a_massachusetts_variant_is_blocked_with_counts(setup, app):
    batch = create_batch("First notice", _latest(setup.template).id, "email", setup.creator)
    with pytest.raises(BatchBlocked) as blocked:
        approve_batch(batch.id, setup.approver, batch_fingerprint(batch))
    (gap,) = blocked.value.gaps
    assert (gap.jurisdiction, gap.language, gap.recipients, gap.variant) == ("US-MA", "en", 3, "")
    assert any("must not include The nature of the breach" in p for p in gap.problems)
    assert _notifications(batch) == 0

    client = app.test_client()
    sign_in_staff(client, Role.ADMIN)
    page = client.get(f"/staff/batches/{batch.id}/approve").get_data(as_text=True)
    assert "cannot be approved" in page and "Massachusetts" in page and "Approve and send" not in page


def test_an_english_only_variant_still_blocks_spanish_speaking_residents(setup):
    en = _latest(setup.template)
    save_language(
        setup.template, en.version, "en", "Notice of data breach", MA_BODY, setup.creator, jurisdiction="US-MA"
    )
    v2 = _latest(setup.template)
    save_language(setup.template, v2.version, "es", "Aviso", starter_body(), setup.creator)
    batch = create_batch("Second", _latest(setup.template).id, "email", setup.creator)
    with pytest.raises(BatchBlocked) as blocked:
        approve_batch(batch.id, setup.approver, batch_fingerprint(batch))
    (gap,) = blocked.value.gaps
    assert (gap.jurisdiction, gap.language, gap.recipients) == ("US-MA", "es", 1)


def test_with_a_compliant_variant_the_batch_is_approved_and_each_gets_theirs(setup):
    en = _latest(setup.template)
    save_language(
        setup.template, en.version, "en", "Notice of data breach", MA_BODY, setup.creator, jurisdiction="US-MA"
    )
    batch = create_batch("Third", _latest(setup.template).id, "email", setup.creator)
    approve_batch(batch.id, setup.approver, batch_fingerprint(batch))
    assert _notifications(batch) == 4


def test_pick_content_never_falls_back_from_a_jurisdiction_to_the_default():
    default = SimpleNamespace(language="en", jurisdiction="", subject="s", body_markdown="## What happened")
    ma = SimpleNamespace(language="en", jurisdiction="US-MA", subject="s", body_markdown="police report")
    assert pick_content([default], "en", "US-MA") is None
    assert pick_content([default, ma], "en", "US-MA") is ma
    assert pick_content([default, ma], "es", "US-MA") is None
    assert pick_content([default, ma], "es", "") is default

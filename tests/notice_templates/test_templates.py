"""Notice templates: the starter structure, validation at save time, versions, preview."""

import re

import pytest
from sqlalchemy import select

from portal.constants import AuditAction
from portal.extensions import db
from portal.mail.rendering import (
    NOTICE_HEADINGS,
    notice_headings,
    starter_body,
    starter_languages,
    starter_notice,
    validate_template,
)
from portal.models import AuditEvent, NoticeTemplate, NoticeTemplateVersion
from portal.notice_templates.service import SAMPLE_NOTICE_CODE, missing_headings
from tests.batches.helpers import make_template
from tests.factories import sign_in_staff

pytestmark = pytest.mark.usefixtures("app_ctx")


def _create(client, incident, body=None, subject="Notice for ((first_name))", name="First notice"):
    return client.post(
        "/staff/templates/new",
        data={
            "incident": incident.id,
            "name": name,
            "subject": subject,
            "body": body if body is not None else starter_body(),
        },
    )


def test_a_new_template_starts_from_the_notice_of_data_breach_structure(admin, incident):
    client, _user = admin
    page = client.get("/staff/templates/new").get_data(as_text=True)
    for heading in NOTICE_HEADINGS:
        assert f"## {heading}" in page
    assert "((notice_code))" in page


def test_creating_a_template_saves_version_1_in_english_and_audits_it(admin, incident):
    client, user = admin
    response = _create(client, incident)
    assert response.status_code == 302
    template = db.session.scalar(select(NoticeTemplate))
    [version] = db.session.scalars(select(NoticeTemplateVersion)).all()
    assert (version.template_id, version.version, version.created_by_id) == (template.id, 1, user.id)
    assert [(c.language, c.subject) for c in version.contents] == [("en", "Notice for ((first_name))")]
    assert (
        db.session.scalar(select(AuditEvent.target).where(AuditEvent.action == AuditAction.TEMPLATE_CREATED))
        == f"template:{template.id}"
    )


def test_an_unknown_placeholder_is_refused_at_save_time_beside_the_message(admin, incident):
    client, _user = admin
    response = _create(client, incident, body=starter_body() + "\nYour colour: ((favourite_colour))\n")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "There is a problem" in page
    assert "unknown placeholder ((favourite_colour))" in page
    assert 'href="#body"' in page
    assert db.session.scalar(select(NoticeTemplate)) is None


def test_an_unknown_placeholder_in_the_subject_is_shown_beside_the_subject(admin, incident):
    client, _user = admin
    response = _create(client, incident, subject="Hello ((nickname))")
    assert response.status_code == 400
    assert 'href="#subject"' in response.get_data(as_text=True)


def test_a_notice_without_its_five_headings_is_refused(admin, incident):
    client, _user = admin
    body = starter_body().replace("## What we are doing", "## Our response")
    response = _create(client, incident, body=body)
    assert response.status_code == 400
    assert "Missing: What we are doing" in response.get_data(as_text=True)


def test_changing_a_language_saves_a_new_version_and_leaves_the_old_one_as_it_was(admin, incident):
    client, _user = admin
    v1 = make_template(incident, languages={"en": ("Old subject", starter_body()), "es": ("Asunto", starter_body())})
    response = client.post(
        f"/staff/templates/{v1.template_id}/languages/en",
        data={"subject": "New subject", "body": starter_body(), "based_on": "1"},
    )
    assert response.status_code == 302
    db.session.expire_all()
    versions = db.session.scalars(select(NoticeTemplateVersion).order_by(NoticeTemplateVersion.version)).all()
    assert [v.version for v in versions] == [1, 2]
    assert {c.language: c.subject for c in versions[0].contents} == {"en": "Old subject", "es": "Asunto"}
    assert {c.language: c.subject for c in versions[1].contents} == {"en": "New subject", "es": "Asunto"}


def test_adding_a_language_starts_from_that_languages_notice_of_data_breach(admin, incident):
    client, _user = admin
    v1 = make_template(incident)
    page = client.get(f"/staff/templates/{v1.template_id}/languages/sw").get_data(as_text=True)
    assert "Add Kiswahili" in page
    form, english = page.split("Show the English text")
    for heading in notice_headings("sw"):
        assert f"## {heading}" in form
    assert f"Notisi ya uvujaji wa data: {incident.title}" in form
    assert "## What happened" in english and "## What happened" not in form
    response = client.post(
        f"/staff/templates/{v1.template_id}/languages/sw",
        data={"subject": "Taarifa", "body": "Habari ((first_name))", "based_on": "1"},
    )
    assert response.status_code == 400, "a translation still needs its five sections"
    body = "\n\n".join(f"## Sehemu {n}\n\nMaandishi." for n in range(5))
    response = client.post(
        f"/staff/templates/{v1.template_id}/languages/sw", data={"subject": "Taarifa", "body": body, "based_on": "1"}
    )
    assert response.status_code == 302


def test_saving_on_top_of_a_version_someone_else_replaced_is_refused(admin, second_admin, incident):
    client, _user = admin
    v1 = make_template(incident)
    other, _other_user = second_admin
    assert (
        other.post(
            f"/staff/templates/{v1.template_id}/languages/en",
            data={"subject": "Theirs", "body": starter_body(), "based_on": "1"},
        ).status_code
        == 302
    )
    response = client.post(
        f"/staff/templates/{v1.template_id}/languages/en",
        data={"subject": "Mine", "body": starter_body(), "based_on": "1"},
    )
    assert response.status_code == 400
    assert "Someone saved version 2" in response.get_data(as_text=True)
    assert db.session.scalar(select(db.func.count(NoticeTemplateVersion.id))) == 2


def test_preview_renders_a_made_up_person_with_a_code_that_cannot_verify(admin, incident):
    client, _user = admin
    v1 = make_template(incident)
    response = client.get(f"/staff/templates/{v1.template_id}/versions/1/en")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Notice of data breach for Amina" in page
    assert SAMPLE_NOTICE_CODE in page
    assert "Bank and payout details" in page
    assert client.get(f"/staff/templates/{v1.template_id}/versions/1/fr").status_code == 404


@pytest.mark.parametrize("role", ["legal", "support", "auditor"])
def test_only_admins_reach_templates(app, incident, role):
    client = app.test_client()
    sign_in_staff(client, role)
    v1 = make_template(incident)
    assert client.get("/staff/templates/").status_code == 403
    assert client.get("/staff/templates/new").status_code == 403
    assert _create(client, incident).status_code == 403
    assert (
        client.post(
            f"/staff/templates/{v1.template_id}/languages/en",
            data={"subject": "x", "body": starter_body(), "based_on": "1"},
        ).status_code
        == 403
    )


@pytest.mark.parametrize("language", ["es", "pt", "fr", "hi", "fil", "sw"])
def test_every_languages_starter_is_a_complete_notice_with_the_english_placeholders(language):
    subject, body = starter_notice(language)
    english_subject, english_body = starter_notice("en")
    validate_template(subject, body)
    assert len(notice_headings(language)) == len(NOTICE_HEADINGS) == 5
    assert set(notice_headings(language)).isdisjoint(NOTICE_HEADINGS), "the headings are translated"
    placeholders = re.compile(r"\(\([a-z_]+\)\)")
    assert sorted(placeholders.findall(subject + body)) == sorted(placeholders.findall(english_subject + english_body))
    assert missing_headings(body, language) == []
    # A translated notice that drops a section is told which, in its own language's words.
    without = body.replace(f"## {notice_headings(language)[2]}", "")
    assert missing_headings(without, language) == [notice_headings(language)[2]]


def test_every_offered_language_has_a_starter(app):
    assert set(app.config["LANGUAGES"]) <= set(starter_languages())

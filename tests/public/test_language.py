"""A verified person's choice of language becomes the language we write to them in, audited in
the same transaction; before the identity check the selector changes the pages only.

No test holds an app context across requests (Flask-Babel keeps its locale on ``g``).
"""

import json

from flask_babel import force_locale, gettext
from sqlalchemy import select

from portal.constants import AuditAction, MailKind
from portal.extensions import db
from portal.models import AuditEvent, OutboxMessage, Person
from tests.factories import check_form, give_notice_code, make_incident, make_person


def _verified(app, client, language: str) -> int:
    with app.app_context():
        person = make_person(language=language)
        code, person_id = give_notice_code(person, make_incident()), person.id
    client.get("/check")
    assert client.post("/check", data=check_form(code, "Okafor", "1990-03-27")).status_code == 302
    client.get("/my")  # the page whose selector posts
    return person_id


def _chosen_events(app) -> list[AuditEvent]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == AuditAction.LANGUAGE_CHOSEN)))


def test_a_verified_persons_choice_becomes_their_mail_language_and_the_page_says_so(app, client):
    person_id = _verified(app, client, "es")
    client.post("/language", data={"language": "hi", "next": "/my"})
    page = client.get("/my").get_data(as_text=True)
    with app.test_request_context(), force_locale("hi"):
        said = gettext("From now on, we will write to you in %(language)s.", language="हिन्दी")
    assert said in page and said.startswith("अब से")

    with app.app_context():
        person = db.session.get(Person, person_id)
        assert person.preferred_language == "hi"
        [event] = _chosen_events(app)
        assert event.target == f"person:{person.uid}" and event.actor == f"contractor:{person.uid}"
        assert json.loads(event.details) == {"to": "hi"}
        from portal.verify.service import reissue_notice_code  # after the app: the package has an import cycle

        reissue_notice_code(person.email)  # a mail sent later, outside any request, as a worker would
        [mail] = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == MailKind.NOTICE_CODE_REISSUE))
        with force_locale("hi"):
            assert mail.subject == gettext("Your new notice code for the Exposure Portal")


def test_before_the_identity_check_the_choice_changes_the_pages_only(app, client):
    with app.app_context():
        person_id = make_person(language="es").id
    client.get("/check")
    client.post("/language", data={"language": "fr", "next": "/check"})
    page = client.get("/check").get_data(as_text=True)
    assert '<html lang="fr">' in page and "Désormais" not in page
    with app.app_context():
        assert db.session.get(Person, person_id).preferred_language == "es"
    assert _chosen_events(app) == []


def test_choosing_the_register_language_again_writes_and_says_nothing(app, client):
    person_id = _verified(app, client, "pt-BR")
    client.post("/language", data={"language": "pt", "next": "/my"})
    assert "A partir de agora" not in client.get("/my").get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Person, person_id).preferred_language == "pt-BR"
    assert _chosen_events(app) == []


def test_the_language_changes_only_with_its_audit_row(app, client, monkeypatch):
    person_id = _verified(app, client, "es")

    def audit_fails(*args, **kwargs):
        raise RuntimeError("audit chain unavailable")

    monkeypatch.setattr("portal.public.language.record_audit", audit_fails)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    try:
        response = client.post("/language", data={"language": "sw", "next": "/my"})
    finally:
        app.config["PROPAGATE_EXCEPTIONS"] = None
    assert response.status_code == 500
    with app.app_context():
        assert db.session.get(Person, person_id).preferred_language == "es"
    assert _chosen_events(app) == []

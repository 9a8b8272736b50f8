import re

from portal.models import NoticeCode, OutboxMessage
from tests.factories import check_form, make_incident, make_person


def test_known_and_unknown_emails_get_the_same_answer(client, app_ctx):
    make_incident()
    make_person("C-1", email="amina@example.org")
    known = client.post("/lost-code", data={"email": "Amina@Example.org "})
    unknown = client.post("/lost-code", data={"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 302
    assert known.location == unknown.location
    assert client.get(known.location).data == client.get(unknown.location).data
    assert OutboxMessage.query.count() == 1


def test_the_new_code_arrives_by_email_and_works(client, app_ctx):
    make_incident()
    make_person("C-1", email="amina@example.org", last_name="Okafor", date_of_birth="1988-01-02")
    client.post("/lost-code", data={"email": "amina@example.org"})
    message = OutboxMessage.query.one()
    assert message.to_address == "amina@example.org"
    assert "http" in message.body_text and "click" not in message.body_text.lower()
    code = re.search(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", message.body_text).group()
    assert NoticeCode.query.one().code_hash != code  # only the hash is stored
    response = client.post("/check", data=check_form(code, "okafor", "1988-01-02"))
    assert response.status_code == 302


def test_invalid_email_gets_a_field_error(client):
    response = client.post("/lost-code", data={"email": "not-an-email"})
    assert response.status_code == 400
    assert b"Enter an email address like name@example.com" in response.data


def test_requests_for_one_email_are_throttled(client, app_ctx):
    make_person("C-1", email="amina@example.org")
    statuses = [client.post("/lost-code", data={"email": "amina@example.org"}).status_code for _ in range(4)]
    assert statuses == [302, 302, 302, 429]
    assert OutboxMessage.query.count() == 3


def test_a_reissued_code_stops_working_after_the_configured_time(client, app_ctx, override_config):
    """A mailed code used to work for ever: a mailbox read later, or by someone else, still opened the page."""
    from datetime import timedelta

    from portal.extensions import db

    override_config(REISSUED_CODE_VALID_HOURS=24)
    make_incident()
    make_person("C-1", email="amina@example.org", last_name="Okafor", date_of_birth="1988-01-02")
    client.post("/lost-code", data={"email": "amina@example.org"})
    message = OutboxMessage.query.one()
    assert "It works for 24 hours" in message.body_text
    code = re.search(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", message.body_text).group()
    row = NoticeCode.query.one()
    row.created_at -= timedelta(hours=25)
    db.session.commit()
    details = check_form(code, "Okafor", "1988-01-02")
    assert client.post("/check", data=details).status_code != 302  # refused, with the usual neutral message
    row.created_at += timedelta(hours=2)  # 23 hours old: still good
    db.session.commit()
    assert client.post("/check", data=details).status_code == 302

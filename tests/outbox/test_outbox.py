import pytest
from sqlalchemy import select

from portal.constants import AuditAction, Role
from portal.extensions import db
from portal.models import AuditEvent, OutboxMessage
from tests.factories import make_person, sign_in_staff


@pytest.fixture
def support(app_ctx, client):
    return sign_in_staff(client, Role.SUPPORT)


def test_a_lost_code_request_appears_in_the_outbox_and_reads_as_sent(client, support):
    person = make_person("C-1001", email="amina@example.org")
    assert client.post("/lost-code", data={"email": "amina@example.org"}).status_code == 302
    message = db.session.scalar(select(OutboxMessage))
    listing = client.get("/staff/outbox/").get_data(as_text=True)
    assert "amina@example.org" in listing and message.subject in listing and message.kind in listing
    page = client.get(f"/staff/outbox/{message.id}").get_data(as_text=True)
    assert '<pre class="mail">' in page and person.email in page
    assert message.body_text.splitlines()[0].strip() in page
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == AuditAction.OUTBOX_MESSAGE_VIEWED))
    assert event.actor == f"staff:{support.id}" and event.target == f"outbox:{message.id}"


def test_an_empty_outbox_says_so(client, support):
    assert "No messages yet" in client.get("/staff/outbox/").get_data(as_text=True)


def test_the_outbox_is_paginated(client, support):
    db.session.add_all(
        OutboxMessage(kind="test", to_address=f"p{n}@example.org", subject=f"Subject {n:03d}", body_text="Hello")
        for n in range(60)
    )
    db.session.commit()
    first = client.get("/staff/outbox/").get_data(as_text=True)
    assert "Subject 059" in first and "Subject 009" not in first and "Page 1 of 2" in first
    second = client.get("/staff/outbox/?page=2").get_data(as_text=True)
    assert "Subject 009" in second and "Subject 059" not in second
    assert client.get("/staff/outbox/?page=3").status_code == 404
    assert client.get("/staff/outbox/?page=0").status_code == 404


def test_an_html_body_is_shown_sanitised(client, support):
    message = OutboxMessage(
        kind="test",
        to_address="p@example.org",
        subject="Hi",
        body_text="Hello <b>there</b>",
        body_html='<p onclick="steal()">Hello <strong>there</strong></p><script>alert(1)</script>'
        '<img src="https://tracker.example/p.gif"><a href="javascript:alert(2)">x</a>'
        "<style>body{display:none}</style>",
    )
    db.session.add(message)
    db.session.commit()
    page = client.get(f"/staff/outbox/{message.id}").get_data(as_text=True)
    assert "<p>Hello <strong>there</strong></p>" in page
    assert "Hello &lt;b&gt;there&lt;/b&gt;" in page  # the text part is text
    for forbidden in ("<script", "onclick", "<img", "javascript:", "<style"):
        assert forbidden not in page


def test_an_unknown_message_is_404(client, support):
    assert client.get("/staff/outbox/12345").status_code == 404


@pytest.mark.parametrize("role", [Role.SUPPORT, Role.ADMIN])
def test_the_outbox_never_shows_a_notice_code_to_staff(app, app_ctx, role):
    """Support could read a reissued code in the outbox, and with the last name and date of birth
    on the person page, sign in as that person."""
    import re

    make_person("C-1001", email="amina@example.org")
    app.test_client().post("/lost-code", data={"email": "amina@example.org"})
    message = db.session.scalar(select(OutboxMessage))
    code = re.search(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", message.body_text).group()
    staff = app.test_client()
    sign_in_staff(staff, role)
    page = staff.get(f"/staff/outbox/{message.id}").get_data(as_text=True)
    assert code not in page and code.replace("-", "") not in page
    assert "••••-••••-••••" in page
    assert code not in staff.get("/staff/outbox/").get_data(as_text=True)

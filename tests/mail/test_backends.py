"""One-off messages go through the configured backend: kept in the outbox, or posted to SendGrid."""

from sqlalchemy import select

from portal.extensions import db
from portal.mail import Message, send_message
from portal.models import OutboxMessage
from tests.fakes.sendgrid_server import Reply
from tests.sending.conftest import SENDGRID_SETTINGS

MESSAGE = Message(
    kind="notice_code_reissue",
    to_address="amina@example.org",
    subject="Your new notice code",
    body_text="Your code is ABCD-EFGH-JKMN",
)


def test_the_outbox_backend_keeps_the_message(app_ctx):
    assert send_message(MESSAGE) is True
    db.session.commit()
    kept = db.session.scalars(select(OutboxMessage)).one()
    assert kept.to_address == "amina@example.org" and kept.body_text == MESSAGE.body_text


def test_the_sendgrid_backend_posts_the_message(app, fake_sendgrid, override_config):
    override_config(**SENDGRID_SETTINGS, SENDGRID_HOST=fake_sendgrid.url)
    with app.app_context():
        assert send_message(MESSAGE) is True
        assert db.session.scalars(select(OutboxMessage)).all() == []
    payload = fake_sendgrid.requests[0].payload
    assert payload["personalizations"] == [{"to": [{"email": "amina@example.org"}]}]
    assert payload["content"] == [{"type": "text/plain", "value": MESSAGE.body_text}]


def test_a_refused_message_reports_false_instead_of_raising(app, fake_sendgrid, override_config):
    override_config(**SENDGRID_SETTINGS, SENDGRID_HOST=fake_sendgrid.url)
    fake_sendgrid.script(Reply.error(400, "bad"))
    with app.app_context():
        assert send_message(MESSAGE) is False

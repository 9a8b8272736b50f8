"""A line break stored in a person's name never reaches a mail header or SendGrid's ``to.name``.

Imports and forms refuse control characters now; these rows are written straight to the table,
as an older import would have left them.
"""

from sqlalchemy import update

from portal.extensions import db
from portal.mail import Message, mail_backend
from portal.mail.rendering import starter_body
from portal.models import Person
from portal.sending.pipeline import send_until_idle
from tests.factories import make_batch_with_notifications

INJECTED = "Amina\r\nBcc: everyone@evil.example"


def _no_controls(text: str) -> bool:
    return not any(ord(ch) < 32 or ord(ch) == 127 for ch in text)


def test_a_name_with_a_line_break_is_one_line_in_to_name_and_in_the_subject(sendgrid_app, fake_sendgrid):
    make_batch_with_notifications(1, contents={"en": ("Notice for ((first_name))", starter_body())})
    db.session.execute(update(Person).values(first_name=INJECTED, last_name="Oka\x1bfor"))
    db.session.commit()
    send_until_idle()

    payload = fake_sendgrid.requests[0].payload
    (personalization,) = payload["personalizations"]
    name = personalization["to"][0]["name"]
    assert _no_controls(name) and "Bcc: everyone@evil.example" in name  # kept, as harmless text
    assert _no_controls(personalization["substitutions"]["-first_name-"])
    assert _no_controls(payload["subject"])


def test_a_one_off_subject_is_one_line(sendgrid_app, fake_sendgrid):
    message = Message(kind="batch_test", to_address="a@example.org", subject=f"Test for {INJECTED}", body_text="x")
    assert message.subject == "Test for Amina Bcc: everyone@evil.example"
    assert mail_backend().send_message(message) is True
    assert _no_controls(fake_sendgrid.requests[0].payload["subject"])

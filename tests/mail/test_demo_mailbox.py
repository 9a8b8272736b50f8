"""The demo's mailboxes: the recipient's side of a kept mail, in development only."""

import re

from portal.config import DevelopmentConfig, ProductionConfig
from portal.mail.demo_mailbox import mailbox_path
from tests.factories import make_incident, make_person


def test_a_lost_code_reaches_the_recipients_demo_mailbox_unmasked(client, app, app_ctx, override_config):
    override_config(DEMO_MAILBOX=True)
    make_incident()
    make_person("C-1", email="Kiprop@Example.org")
    path = mailbox_path("kiprop@example.org")
    path.unlink(missing_ok=True)
    try:
        assert client.post("/lost-code", data={"email": "kiprop@example.org"}).status_code == 302
        mailbox = path.read_text(encoding="utf-8")
    finally:
        path.unlink(missing_ok=True)
    assert "to: kiprop@example.org" in mailbox.lower()
    assert re.search(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", mailbox), "the code is readable by its recipient"


def test_only_development_writes_mailboxes(client, app, app_ctx):
    make_incident()
    make_person("C-1", email="kiprop@example.org")
    client.post("/lost-code", data={"email": "kiprop@example.org"})
    assert not mailbox_path("kiprop@example.org").exists()  # the tests' configuration
    assert DevelopmentConfig.DEMO_MAILBOX is True
    assert not getattr(ProductionConfig, "DEMO_MAILBOX", False)


def test_a_mailbox_file_name_cannot_leave_the_folder(app):
    with app.app_context():
        path = mailbox_path("../../etc/passwd@example.org")
        assert path.parent.name == "mailbox" and "/" not in path.name

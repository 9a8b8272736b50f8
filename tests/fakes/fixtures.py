"""Pytest fixtures for the fake SendGrid, loaded for the whole suite by tests/conftest.py."""

import pytest

from tests.fakes.sendgrid_server import DEFAULT_API_KEY, FakeSendGrid

SENDGRID_SETTINGS = {
    "MAIL_BACKEND": "sendgrid",
    "SENDGRID_API_KEY": DEFAULT_API_KEY,
    "SENDGRID_TIMEOUT_SECONDS": 1.0,
    "SEND_BACKOFF_SECONDS": 0.05,
    "SEND_BACKOFF_MAX_SECONDS": 0.2,
    "SEND_MAX_ATTEMPTS": 6,
    "MAIL_REPLY_TO": "help@example.org",
}


@pytest.fixture(scope="session")
def fake_sendgrid_server():
    server = FakeSendGrid(hang_seconds=3.0).start()
    yield server
    server.stop()


@pytest.fixture
def fake_sendgrid(fake_sendgrid_server):
    fake_sendgrid_server.reset()
    yield fake_sendgrid_server
    fake_sendgrid_server.reset()


@pytest.fixture
def override_config(app):
    """Set app.config keys for one test and put the old values back afterwards."""
    saved: dict = {}

    def override(**values):
        for key, value in values.items():
            saved.setdefault(key, app.config.get(key))
            app.config[key] = value

    yield override
    app.config.update(saved)
    app.extensions.pop("mail_backend", None)


@pytest.fixture
def sendgrid_app(app, fake_sendgrid, override_config):
    override_config(**SENDGRID_SETTINGS, SENDGRID_HOST=fake_sendgrid.url)
    with app.app_context():
        yield app

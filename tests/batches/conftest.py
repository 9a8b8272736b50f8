"""Signed-in staff for the batch tests: two admins (one creates, the other approves) and the other roles."""

import pytest

from tests.factories import expose, make_incident, make_person, sign_in_staff


@pytest.fixture
def admin(app, app_ctx):
    """(client, user): the admin who creates batches."""
    client = app.test_client()
    return client, sign_in_staff(client, "admin")


@pytest.fixture
def second_admin(app, app_ctx):
    """(client, user): a different admin, who may approve."""
    client = app.test_client()
    return client, sign_in_staff(client, "admin")


@pytest.fixture
def incident(app_ctx):
    return make_incident()


@pytest.fixture
def person_in(incident):
    """Make a person affected by ``incident`` (with ``categories`` exposed)."""

    def build(contractor_id=None, categories=("payment",), **fields):
        person = make_person(contractor_id, **fields)
        for category in categories:
            expose(person, incident, category, f"{category} detail")
        return person

    return build

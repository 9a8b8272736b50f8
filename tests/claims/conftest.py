import pytest

from tests.claims.support import make_claim_incident, make_claimant


@pytest.fixture
def incident(app_ctx):
    return make_claim_incident()


@pytest.fixture
def claimant(incident):
    return make_claimant(incident)


@pytest.fixture
def signed_in(app, claimant):
    """A test client signed in as the claimant."""
    client = app.test_client()
    claimant.sign_in(client)
    return client


@pytest.fixture
def request_ctx(app_ctx):
    """Messages are lazy strings, translated in a request's language."""
    with app_ctx.test_request_context():
        yield

"""The incident page's cache across gunicorn's workers: an edit shows on every worker at once.

Each request opens its own connection, so the requests spread over the workers; every one of
them has rendered (and cached) the first text before the edit.
"""

from portal.extensions import db
from tests.factories import make_incident
from tests.production.conftest import WORKERS, needs_postgres
from tests.production.https import Visitor

pytestmark = needs_postgres

REQUESTS = 12 * WORKERS


def test_every_worker_shows_the_edited_incident_at_once(production_server, fresh_limits, app_ctx):
    incident = make_incident(what_happened="First **version**.", contact_phone="+1 800 555 0100")
    visitor = Visitor(production_server.url, production_server.certificate)
    for _ in range(REQUESTS):
        answer = visitor.get("/")
        assert answer.status == 200 and "First <strong>version</strong>." in answer.body
    incident.what_happened = "Second **version**."
    incident.contact_phone = "+1 800 555 0199"
    db.session.commit()
    for _ in range(REQUESTS):
        answer = visitor.get("/")
        assert answer.status == 200
        assert "Second <strong>version</strong>." in answer.body and "First" not in answer.body
        assert "+1 800 555 0199" in answer.body and "+1 800 555 0100" not in answer.body

"""The incident page's cache across gunicorn's workers: an edit shows on every worker at once.

GET / is kept whole by each worker for anonymous visitors (portal/public/page_cache.py). Each
request opens its own connection, so the requests spread over the workers; every one of them has
rendered (and kept) the page before the edit, whether the edit is written by the test process, or
by an admin through one of the workers.
"""

import re

from portal.constants import Role
from portal.extensions import db
from tests.factories import make_incident
from tests.production.conftest import WORKERS, needs_postgres
from tests.production.https import Visitor, signed_in_staff

pytestmark = needs_postgres

REQUESTS = 12 * WORKERS


def _every_answer(server, check) -> set[str]:
    """GET / as a new visitor each time; the CSRF tokens the answers carried."""
    tokens = set()
    for _ in range(REQUESTS):
        visitor = Visitor(server.url, server.certificate)
        answer = visitor.get("/")
        assert answer.status == 200
        check(answer.body)
        tokens.add(visitor.csrf_token)
    return tokens


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


def _signed_in_admin(server) -> Visitor:
    return signed_in_staff(server, "pages@example.org", Role.ADMIN)


def test_an_admin_s_edit_through_one_worker_shows_on_every_worker(production_server, fresh_limits, app_ctx):
    incident = make_incident(what_happened="As first told.")
    server = production_server
    tokens = _every_answer(server, lambda page: "As first told." in page and "Helpline extended" not in page)
    assert len(tokens) == REQUESTS  # kept pages, each with the token of its own visitor's session

    admin = _signed_in_admin(server)
    admin.get(f"/staff/updates/new?incident_id={incident.id}")
    update = {"incident_id": str(incident.id), "title": "Helpline extended", "body": "Until *May*."}
    assert admin.post("/staff/updates/new", {**update, "action": "publish"}).status == 302
    _every_answer(server, lambda page: "Helpline extended" in page and "Until <em>May</em>." in page)

    admin.get("/staff/organisation")
    assert admin.post("/staff/organisation", {"legal_name": "Renamed Holdings Ltd"}).status == 302
    _every_answer(server, lambda page: "This portal is run by Renamed Holdings Ltd." in page)


def test_a_kept_page_s_token_works_in_production(production_server, fresh_limits, app_ctx):
    make_incident()
    server = production_server
    _every_answer(server, lambda page: 'lang="en"' in page)  # every worker keeps the English page
    visitor = Visitor(server.url, server.certificate)
    visitor.get("/")
    answer = visitor.post("/language", {"language": "es", "next": "/"})
    assert answer.status == 302, answer.body[:300]
    page = visitor.get("/").body
    assert re.search(r'<html lang="es">', page)

"""SQL statements per contractor page: a page that grows a query per row (an N+1) fails here.

Every page of the contractor tour is loaded as its visitor would load it, once to warm what a
worker keeps between requests, then counted: each statement the engine sends is one count.
"""

from contextlib import contextmanager

import pytest
from sqlalchemy import event

from portal.extensions import db
from portal.models import IncidentUpdate
from tests.contractor_pages import build_tour
from tests.factories import make_incident
from tests.verify.test_sign_out import signed_in_clients

MY_PAGE_LIMIT = 6
PAGE_LIMIT = 10


@contextmanager
def counted_statements():
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


@pytest.fixture
def tour_counts(app, app_ctx):
    """{visit name: (endpoint, statements)} for every page of the tour."""
    tour = build_tour(app)
    clients = signed_in_clients(app, tour)
    counts = {}
    for visit in tour.visits:
        client = clients[visit.visitor] if visit.visitor else app.test_client()
        for path, data, _button in visit.before:
            assert client.post(path, data=data).status_code == 302, visit.name
        # A page that sends on (continuing a draft goes to its next step) is counted as its own request.
        expected = {visit.status, 302}
        assert client.get(visit.path).status_code in expected, visit.name
        with counted_statements() as statements:
            response = client.get(visit.path)
        assert response.status_code in expected, visit.name
        counts[visit.name] = (visit.endpoint, statements)
    return counts


def test_my_page_issues_at_most_six_statements(tour_counts):
    _endpoint, statements = tour_counts["my information"]
    assert len(statements) <= MY_PAGE_LIMIT, "\n".join(statements)


def test_no_contractor_page_issues_more_than_ten_statements(tour_counts):
    too_many = {name: len(statements) for name, (_e, statements) in tour_counts.items() if len(statements) > PAGE_LIMIT}
    assert not too_many, too_many


def test_the_counts_cover_the_pages_the_issue_names(tour_counts):
    endpoints = {endpoint for endpoint, _statements in tour_counts.values()}
    named = {
        "public.incident_page",
        "verify.check",
        "exposure.my_exposure",
        "claims.claim_status",
        "monitoring.monitoring_products",
        "updates.updates_page",
        "exclusion.exclusion",
    }
    assert named <= endpoints


def test_counting_sees_every_statement(app, app_ctx):
    """The counter itself: a page's queries reach it, so a zero above is a real zero."""
    with counted_statements() as statements:
        db.session.execute(db.text("SELECT 1"))
        db.session.execute(db.text("SELECT 2"))
    assert len(statements) == 2


# A kept page costs the version read; the visitor's session (the database store in tests) adds its
# read, and its write when the CSRF token is new.
INCIDENT_PAGE_KEPT_LIMIT = 2


def test_a_kept_incident_page_issues_the_version_read_and_the_session_only(app):
    with app.app_context():
        incident = make_incident()
        db.session.add(IncidentUpdate(incident_id=incident.id, title="An update", body_markdown="Text."))
        db.session.commit()
    assert app.test_client().get("/").status_code == 200  # rendered and kept
    visitor = app.test_client()
    assert visitor.get("/").status_code == 200  # the visitor's session now holds its token
    with app.app_context(), counted_statements() as statements:
        response = visitor.get("/")
    assert response.status_code == 200 and "An update" in response.get_data(as_text=True)
    assert len(statements) <= INCIDENT_PAGE_KEPT_LIMIT, "\n".join(statements)
    assert any("public_page_version" in statement for statement in statements)

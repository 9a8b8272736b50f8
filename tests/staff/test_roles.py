"""Every staff route names the roles it allows, and every role gets exactly those.

The route list comes from the app itself, so a route added without ``role_required`` fails here.
"""

import uuid

import pytest
from werkzeug.routing import IntegerConverter, UUIDConverter

from portal.constants import STAFF_ROLES, Role
from tests.factories import sign_in_staff

STAFF_BLUEPRINTS = ("staff.", "incidents.", "outbox.", "imports.")
# The only staff pages anyone may open: the two sign-in steps, and enrolment (an unused link's holder).
PUBLIC_STAFF_ENDPOINTS = {"staff.sign_in", "staff.sign_in_code", "staff.enrol_link", "staff.enrol_page"}


def _is_staff_rule(rule) -> bool:
    return rule.endpoint.startswith(STAFF_BLUEPRINTS) or rule.rule.startswith("/staff")


def _sample_value(converter):
    if isinstance(converter, IntegerConverter):
        return 999_999  # no such row: allowed roles get 404, never a page that changes anything
    if isinstance(converter, UUIDConverter):
        return uuid.uuid4()
    return "no-such-thing"


def _gated_routes(app) -> list[tuple[str, str, str]]:
    """(endpoint, url, method) for every role-gated staff route; GET where the route answers GET."""
    routes = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if not _is_staff_rule(rule) or rule.endpoint in PUBLIC_STAFF_ENDPOINTS:
                continue
            values = {name: _sample_value(conv) for name, conv in rule._converters.items()}
            url = app.url_map.bind("localhost").build(rule.endpoint, values)
            routes.append((rule.endpoint, url, "GET" if "GET" in rule.methods else "POST"))
    return sorted(routes)


def test_the_route_list_is_not_empty(app):
    endpoints = {endpoint for endpoint, _, _ in _gated_routes(app)}
    assert {"staff.dashboard", "staff.person_view", "incidents.incident_edit", "outbox.outbox_list"} <= endpoints


def test_every_staff_route_names_its_roles(app):
    ungated = [
        endpoint
        for endpoint, _, _ in _gated_routes(app)
        if not getattr(app.view_functions[endpoint], "allowed_roles", None)
    ]
    assert ungated == [], f"staff routes without role_required: {ungated}"


def test_every_allowed_role_is_a_real_role(app):
    for endpoint, _, _ in _gated_routes(app):
        assert set(app.view_functions[endpoint].allowed_roles) <= set(STAFF_ROLES), endpoint


def test_anonymous_visitors_are_sent_to_sign_in(app, client):
    client.get("/staff/sign-in")  # a page with a form: the POSTs carry its token, so only the sign-in gate refuses
    wrong = []
    for endpoint, url, method in _gated_routes(app):
        response = client.open(url, method=method)
        if response.status_code != 302 or "/staff/sign-in" not in response.location:
            wrong.append((endpoint, response.status_code))
    assert wrong == []


@pytest.mark.parametrize("role", list(Role))
def test_each_role_gets_exactly_the_routes_it_is_allowed(app, role):
    client = app.test_client()
    with app.app_context():
        sign_in_staff(client, role)
        wrong = []
        for endpoint, url, method in _gated_routes(app):
            allowed = role in app.view_functions[endpoint].allowed_roles
            if allowed and method != "GET":
                continue  # an empty POST from an allowed role could act (sign out); denial is what we test
            response = client.open(url, method=method)
            if not allowed and response.status_code != 403:
                wrong.append((endpoint, "should be 403", response.status_code))
            if allowed and (response.status_code == 403 or "/staff/sign-in" in (response.location or "")):
                wrong.append((endpoint, "should be allowed", response.status_code))
    assert wrong == []


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        (Role.ADMIN, True),
        (Role.LEGAL, False),
        (Role.SUPPORT, False),
        (Role.AUDITOR, False),
    ],
)
def test_only_admins_manage_incidents(app, role, allowed):
    client = app.test_client()
    with app.app_context():
        sign_in_staff(client, role)
        assert (client.get("/staff/incidents/").status_code == 200) is allowed


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        (Role.ADMIN, True),
        (Role.LEGAL, True),
        (Role.SUPPORT, True),
        (Role.AUDITOR, False),
    ],
)
def test_the_auditor_cannot_see_personal_data(app, role, allowed):
    client = app.test_client()
    with app.app_context():
        sign_in_staff(client, role)
        assert (client.get("/staff/people").status_code == 200) is allowed

"""Sign out, on every page a signed-in contractor can open: shared phones and cybercafés.

The pages are found from the app itself (every view behind ``contractor_required``), so a new
page that the tour does not visit fails here until it is added to tests/contractor_pages.py.
"""

import re

from tests.contractor_pages import build_tour
from tests.factories import check_form

SIGN_OUT = re.compile(
    r'<form method="post" action="/sign-out"[^>]*>\s*<input type="hidden" name="csrf_token"[^>]*>\s*'
    r'<button type="submit" class="link-button">Sign out</button>'
)


def contractor_get_endpoints(app) -> set[str]:
    return {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if "GET" in rule.methods and getattr(app.view_functions[rule.endpoint], "contractor_page", False)
    }


def signed_in_clients(app, tour):
    clients = {}
    for key, visitor in tour.visitors.items():
        client = app.test_client()
        form = check_form(visitor.code, visitor.last_name, visitor.date_of_birth)
        assert client.post("/check", data=form).status_code == 302, key
        clients[key] = client
    return clients


def test_the_tour_visits_every_signed_in_contractor_page(app, app_ctx):
    tour = build_tour(app)
    visited = {visit.endpoint for visit in tour.visits if visit.visitor}
    assert visited | set(tour.not_pages) == contractor_get_endpoints(app)


def test_every_signed_in_contractor_page_offers_sign_out_and_no_signed_out_page_does(app, app_ctx):
    tour = build_tour(app)
    clients = signed_in_clients(app, tour)
    for visit in tour.visits:
        client = clients[visit.visitor] if visit.visitor else app.test_client()
        for path, data, _button in visit.before:
            assert client.post(path, data=data).status_code == 302, visit.name
        response = client.get(visit.path, follow_redirects=True)
        page = response.get_data(as_text=True)
        assert response.status_code == visit.status and response.mimetype == "text/html", visit.name
        assert response.request.path != "/check" or visit.path == "/check", f"{visit.name}: sent to the check"
        assert bool(SIGN_OUT.search(page)) == bool(visit.visitor), visit.name


def test_signing_out_ends_the_session_and_says_so(app, app_ctx):
    tour = build_tour(app)
    client = signed_in_clients(app, tour)["filed"]
    client.get("/my")  # the page with the Sign out button
    response = client.post("/sign-out", follow_redirects=True)
    assert "You have signed out." in response.get_data(as_text=True)
    assert not SIGN_OUT.search(response.get_data(as_text=True))
    assert client.get("/my/claims/").status_code == 302  # back to the identity check

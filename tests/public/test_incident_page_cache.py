"""GET / is rendered once per language and content version for anonymous visitors
(portal/public/page_cache.py); each visitor still gets a CSRF token of their own, and an edit to
an incident, an update or the organisation's details shows on the very next request.

Setup runs in an app context of its own and requests run outside it: an app context held across
requests would share ``g`` between them, and with it one request's CSRF token and locale.
"""

import re

from flask import template_rendered

from portal.core.rendering import _sanitised_html
from portal.extensions import db
from portal.models import Incident, IncidentUpdate
from portal.public.page_cache import page_cache
from portal.trust.organisation_admin import save_organisation
from tests.csrf_client import token_in_page
from tests.factories import check_form, give_notice_code, make_incident, make_person


def _incident(app, **fields) -> int:
    with app.app_context():
        return make_incident(**fields).id


def _sql(app, statement: str, **parameters) -> None:
    with app.app_context():
        db.session.execute(db.text(statement), parameters)
        db.session.commit()


class Renders:
    """Counts the templates rendered while it is open (Flask's own signal)."""

    def __init__(self, app):
        self.app, self.names = app, []

    def _record(self, sender, template, context, **extra):
        self.names.append(template.name)

    def __enter__(self):
        template_rendered.connect(self._record, self.app)
        return self

    def __exit__(self, *exc):
        template_rendered.disconnect(self._record, self.app)


def _page(client, **headers) -> str:
    response = client.get("/", headers=headers)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _without_token(page: str) -> str:
    return page.replace(token_in_page(page), "TOKEN")


def test_the_page_is_rendered_once_for_many_visitors(app):
    _incident(app)
    _page(app.test_client())
    with Renders(app) as renders:
        for _ in range(5):
            assert "Contractor records breach" in _page(app.test_client())
    assert renders.names == []


def test_a_kept_page_is_the_rendered_page_with_each_visitor_s_own_token(app):
    _incident(app, what_happened="Attackers copied **contractor records**.")
    with app.app_context():
        page_cache().clear()
    first, second, third = (app.test_client() for _ in range(3))
    rendered = _page(first)  # rendered for this visitor, and kept
    kept = [_page(second), _page(third), _page(second)]
    tokens = [token_in_page(page) for page in (rendered, *kept)]
    assert all(tokens) and len(set(tokens[:3])) == 3  # each visitor's token is signed for their own session
    assert rendered.count(tokens[0]) == 1  # the selector's form is the only one on the page
    assert all(_without_token(page) == _without_token(rendered) for page in kept)
    assert "<strong>contractor records</strong>" in kept[0]


def test_the_token_of_a_kept_page_is_accepted_and_another_visitor_s_is_not(app):
    _incident(app)
    _page(app.test_client())  # now kept
    visitor, other = app.test_client(), app.test_client()
    own, others = token_in_page(_page(visitor)), token_in_page(_page(other))
    refused = visitor.post("/language", data={"language": "es", "next": "/", "csrf_token": others})
    assert refused.status_code == 400
    chosen = visitor.post("/language", data={"language": "es", "next": "/", "csrf_token": own})
    assert chosen.status_code == 302 and chosen.location == "/"
    assert '<html lang="es">' in _page(visitor)


def test_each_language_has_its_own_page(app):
    _incident(app)
    english = _page(app.test_client(), **{"Accept-Language": "en"})
    spanish = _page(app.test_client(), **{"Accept-Language": "es-ES,es;q=0.9"})
    with Renders(app) as renders:
        again_spanish = _page(app.test_client(), **{"Accept-Language": "es"})
        again_english = _page(app.test_client(), **{"Accept-Language": "de-DE"})  # no catalog: English
    assert renders.names == []
    assert '<html lang="en">' in english and '<html lang="es">' in spanish
    assert _without_token(again_spanish) == _without_token(spanish)
    assert _without_token(again_english) == _without_token(english)
    chooser = app.test_client()
    _page(chooser)
    chooser.post("/language", data={"language": "fr", "next": "/"})
    assert '<html lang="fr">' in _page(chooser, **{"Accept-Language": "es"})  # the choice beats the browser


def test_an_edited_incident_shows_at_once(app):
    incident_id = _incident(app, what_happened="First **version**.", contact_phone="+1 800 555 0100")
    client = app.test_client()
    assert "First <strong>version</strong>." in _page(client)
    with app.app_context():
        incident = db.session.get(Incident, incident_id)
        incident.what_happened = "Second **version**."
        incident.contact_phone = "+1 800 555 0199"
        db.session.commit()
    page = _page(client)
    assert "Second <strong>version</strong>." in page and "First" not in page
    assert "+1 800 555 0199" in page and "+1 800 555 0100" not in page


def test_an_edit_made_outside_the_app_shows_at_once(app):
    """Straight into the database, without touching updated_at: the triggers still change the version."""
    incident_id = _incident(app, what_happened="Before.")
    assert "Before." in _page(app.test_client())
    _sql(app, "UPDATE incident SET what_happened = 'After.' WHERE id = :id", id=incident_id)
    page = _page(app.test_client())
    assert "After." in page and "Before." not in page
    _sql(app, "UPDATE incident SET published = :no WHERE id = :id", no=False, id=incident_id)
    assert "After." not in _page(app.test_client())


def test_a_posted_or_changed_update_shows_at_once(app):
    incident_id = _incident(app)
    assert "Helpline extended" not in _page(app.test_client())
    with app.app_context():
        db.session.add(IncidentUpdate(incident_id=incident_id, title="Helpline extended", body_markdown="Until *May*."))
        db.session.commit()
    page = _page(app.test_client())
    assert "Helpline extended" in page and "Until <em>May</em>." in page
    _sql(app, "UPDATE incident_update SET body_markdown = 'Until *June*.'")
    assert "Until <em>June</em>." in _page(app.test_client())
    _sql(app, "DELETE FROM incident_update")
    assert "Helpline extended" not in _page(app.test_client())


def test_the_organisation_s_details_show_at_once(app):
    _incident(app)
    with app.app_context():
        save_organisation({"legal_name": "First Name Ltd"})
    assert "This portal is run by First Name Ltd." in _page(app.test_client())
    with app.app_context():
        save_organisation({"legal_name": "Second Name Ltd"})
    page = _page(app.test_client())
    assert "Second Name Ltd" in page and "First Name Ltd" not in page
    _sql(app, "UPDATE organisation SET legal_name = 'Third Name Ltd'")
    assert "Third Name Ltd" in _page(app.test_client())


def test_a_verified_contractor_and_a_waiting_message_get_a_page_of_their_own(app):
    with app.app_context():
        incident = make_incident()
        code = give_notice_code(make_person(), incident)
    _page(app.test_client())  # kept for anonymous visitors
    contractor = app.test_client()
    assert contractor.post("/check", data=check_form(code, "Okafor", "1990-03-27")).status_code == 302
    with Renders(app) as renders:
        signed_in = _page(contractor)
    assert renders.names and "Sign out" in signed_in
    assert "Sign out" not in _page(app.test_client())  # nor did the contractor's page become the kept one
    visitor = app.test_client()
    _page(visitor)
    with visitor.session_transaction() as session:
        session["_flashes"] = [("info", "A message for this visitor only")]
    assert "A message for this visitor only" in _page(visitor)
    assert "A message for this visitor only" not in _page(visitor)  # shown once, as before
    assert "A message for this visitor only" not in _page(app.test_client())


def test_the_markdown_is_rendered_once_even_when_the_page_is_rendered_again(app):
    _incident(app, what_happened="Attackers copied **contractor records** on 2 October.")
    _sanitised_html.cache_clear()
    for _ in range(5):
        with app.app_context():
            page_cache().clear()
        assert "<strong>contractor records</strong>" in _page(app.test_client())
    info = _sanitised_html.cache_info()
    assert info.hits >= 4 and info.misses <= 2, info  # what happened, and what we are doing


def test_the_kept_pages_are_bounded(app):
    _incident(app)
    with app.app_context():
        cache = page_cache()
        for number in range(100):
            cache.put(("xx", f"/root{number}"), 1, ("page",))
        assert len(cache._pages) <= 32
    assert re.search(r'<html lang="en">', _page(app.test_client()))

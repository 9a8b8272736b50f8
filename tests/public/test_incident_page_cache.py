"""GET / renders each incident's Markdown once; an edit shows on the very next request."""

from portal.core.rendering import _sanitised_html
from portal.extensions import db
from tests.factories import make_incident


def test_the_markdown_is_rendered_once_for_many_requests(client, app_ctx):
    make_incident(what_happened="Attackers copied **contractor records** on 2 October.")
    _sanitised_html.cache_clear()
    for _ in range(5):
        assert "<strong>contractor records</strong>" in client.get("/").get_data(as_text=True)
    info = _sanitised_html.cache_info()
    assert info.hits >= 4 and info.misses <= 2, info  # what happened, and what we are doing


def test_an_edited_incident_shows_at_once(client, app_ctx):
    incident = make_incident(what_happened="First **version**.", contact_phone="+1 800 555 0100")
    assert "First <strong>version</strong>." in client.get("/").get_data(as_text=True)
    incident.what_happened = "Second **version**."
    incident.contact_phone = "+1 800 555 0199"
    db.session.commit()
    page = client.get("/").get_data(as_text=True)
    assert "Second <strong>version</strong>." in page and "First" not in page
    assert "+1 800 555 0199" in page and "+1 800 555 0100" not in page


def test_an_edit_made_outside_the_app_shows_at_once(client, app_ctx):
    """Nothing to invalidate: a change written by another worker or straight into the database is a new key."""
    incident = make_incident(what_happened="Before.")
    assert "Before." in client.get("/").get_data(as_text=True)
    db.session.execute(db.text("UPDATE incident SET what_happened = 'After.' WHERE id = :id"), {"id": incident.id})
    db.session.commit()
    page = client.get("/").get_data(as_text=True)
    assert "After." in page and "Before." not in page

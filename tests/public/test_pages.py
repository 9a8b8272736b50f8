import pytest

from tests.catalogs import translated_app
from tests.factories import check_form, make_incident


def test_incident_page_explains_and_links_to_the_check(client, app_ctx):
    make_incident(what_happened="Attackers copied **contractor records**.", contact_phone="+1 800 555 0100")
    page = client.get("/").get_data(as_text=True)
    assert "<strong>contractor records</strong>" in page
    assert "Check if you were affected" in page and 'href="/check"' in page
    assert "+1 800 555 0100" in page


def test_staff_markdown_cannot_inject_script(client, app_ctx):
    make_incident(what_happened="<script>alert(1)</script> [x](javascript:alert(1))")
    page = client.get("/").get_data(as_text=True)
    assert "<script>alert" not in page and "javascript:" not in page


def test_unpublished_incidents_are_not_shown(client, app_ctx):
    make_incident(title="Draft incident", published=False)
    assert "Draft incident" not in client.get("/").get_data(as_text=True)


def test_security_headers_and_strict_csp(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_healthz_reports_database_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json == {"status": "ok"}


@pytest.mark.parametrize("elsewhere", ["https://evil.example/x", "//evil.example/x", "/\\evil.example/x", ""])
def test_language_choice_only_redirects_back_to_our_own_pages(client, elsewhere):
    client.get("/check")  # a page whose forms carry the session's token (the language form is one when shown)
    response = client.post("/language", data={"language": "en", "next": elsewhere})
    assert response.location == "/"


def test_language_choice_returns_to_the_page_it_was_made_on(app, app_ctx, tmp_path):
    make_incident()
    with translated_app(app, tmp_path, {"Continue": "Continue ({code})"}) as translated:
        client = translated.test_client()
        page = client.get("/check").get_data(as_text=True)
        # The page says where to come back to: a Referer is not sent to every page (same-origin only).
        assert '<input type="hidden" name="next" value="/check">' in page
        response = client.post("/language", data={"language": "sw", "next": "/check"})
        assert response.location == "/check"
        assert "Continue (sw)" in client.get("/check").get_data(as_text=True)


def test_csrf_is_enforced_in_tests_as_outside_them(client):
    client.get("/check")
    response = client.post("/check", data={**check_form("x", "y", "1990-01-01"), "csrf_token": None})
    assert response.status_code == 400


def test_the_favicon_is_served_and_every_page_links_it(client, app_ctx):
    make_incident()
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200 and icon.mimetype == "image/vnd.microsoft.icon"
    assert icon.data[:4] == b"\x00\x00\x01\x00"  # an ICO file's header
    svg = client.get("/static/favicon.svg")
    assert svg.status_code == 200 and b"<svg" in svg.data
    for path in ("/", "/check", "/lost-code"):
        page = client.get(path).get_data(as_text=True)
        assert 'rel="icon" href="/favicon.ico"' in page and 'href="/static/favicon.svg"' in page

from tests.factories import make_incident


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


def test_language_choice_only_redirects_back_to_our_own_pages(client):
    client.get("/check")  # a page whose forms carry the session's token (the language form is one when shown)
    response = client.post("/language", data={"language": "en"}, headers={"Referer": "https://evil.example/x"})
    assert response.location == "/"


def test_csrf_is_enforced_in_tests_as_outside_them(client):
    client.get("/check")
    response = client.post(
        "/check", data={"notice_code": "x", "last_name": "y", "date_of_birth": "1990-01-01", "csrf_token": None}
    )
    assert response.status_code == 400

"""What the other browser tests switch off or rely on: the real CSP, real CSRF, and axe itself."""

import pytest

from tests.browser.a11y import axe_violations
from tests.browser.conftest import HTTPS
from tests.browser.test_contractor_flow import fill_date
from tests.factories import check_form

pytestmark = pytest.mark.browser


def test_content_security_policy_blocks_an_injected_inline_script(browser, base_url):
    # A context of its own: the shared one bypasses CSP so axe-core can be injected.
    context = browser.new_context(base_url=base_url, **HTTPS)
    try:
        page = context.new_page()
        response = page.goto("/")
        policy = response.headers.get("content-security-policy", "")
        assert "script-src 'self'" in policy
        assert "unsafe-inline" not in policy

        page.evaluate("""() => {
            window.blocked = [];
            document.addEventListener("securitypolicyviolation", e => window.blocked.push(e.violatedDirective));
            const script = document.createElement("script");
            script.textContent = "window.injectedRan = true";
            document.body.appendChild(script);
        }""")
        page.wait_for_function("window.blocked.length > 0")
        assert page.evaluate("window.injectedRan") is None
        assert page.evaluate("window.blocked")[0].startswith("script-src")
    finally:
        context.close()


def test_forms_work_over_https_and_send_a_same_origin_referer_only(page, contractor, base_url):
    """Flask-WTF refuses an HTTPS POST without a same-origin Referer; the referrer policy must allow it."""
    assert base_url.startswith("https://")
    posts = []
    page.on("request", lambda request: posts.append(request) if request.method == "POST" else None)
    response = page.goto("/check")
    assert response.headers["referrer-policy"] == "same-origin"
    page.get_by_label("Notice code", exact=True).fill(contractor.code)
    page.get_by_label("Last name", exact=True).fill(contractor.last_name)
    fill_date(page, "Date of birth", contractor.date_of_birth)
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/my")
    [post] = posts
    assert post.headers.get("referer") == f"{base_url}/check"


def test_live_server_rejects_a_form_post_without_its_csrf_token(page, contractor):
    page.goto("/check")
    response = page.request.post(
        "/check",
        form=check_form(contractor.code, contractor.last_name, contractor.date_of_birth),
    )
    assert response.status == 400
    assert "Something was wrong with that request" in response.text()


def test_axe_check_does_report_a_violation(page, contractor):
    """Guards the guard: an unlabelled field must be caught, or every 'no violations' test is empty."""
    page.goto("/check")
    page.evaluate("""() => {
        const input = document.createElement("input");
        input.id = "unlabelled";
        document.querySelector("main").appendChild(input);
    }""")
    rules = {violation["id"] for violation in axe_violations(page)}
    assert "label" in rules

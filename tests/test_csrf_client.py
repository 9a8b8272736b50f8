"""The suite's test client sends CSRF tokens as a browser would, and says so when it cannot."""

import pytest

from tests.csrf_client import MissingCsrfToken, token_in_page
from tests.factories import STAFF_PASSWORD


def test_a_form_post_carries_the_token_of_the_page_loaded_before_it(client):
    page = client.get("/check").get_data(as_text=True)
    assert client.csrf_token == token_in_page(page)
    response = client.post("/check", data={"notice_code": "", "last_name": "", "date_of_birth": ""})
    assert response.status_code == 400 and b"The form may have expired" not in response.data  # field errors only


def test_without_a_page_loaded_it_loads_the_forms_own_url_first(client):
    response = client.post("/lost-code", data={"email": "not an address"})
    assert response.status_code == 400 and b"enter an email address" in response.data.lower()


def test_a_token_from_before_signing_in_is_not_reused_after(app, client, app_ctx):
    from portal.staff.service import create_staff_user

    create_staff_user("admin@example.org", "admin", STAFF_PASSWORD)
    client.get("/staff/sign-in")
    before = client.csrf_token
    assert (
        client.post("/staff/sign-in", data={"email": "admin@example.org", "password": STAFF_PASSWORD}).status_code
        == 302
    )
    response = client.post("/staff/sign-in/code", data={"code": "000000"})  # a new session: the client reloads the page
    assert response.status_code == 400 and b"We could not sign you in" in response.data
    assert client.csrf_token != before


def test_a_post_only_action_with_no_page_loaded_fails_and_says_what_to_do(client):
    with pytest.raises(MissingCsrfToken, match="Load the page holding the form first"):
        client.post("/sign-out")


def test_json_and_raw_bodies_are_left_alone(client):
    response = client.post("/webhooks/sendgrid", data=b"[]", content_type="application/json")
    assert response.status_code == 401 and response.json == {"error": "signature"}  # its own check, not CSRF's
    assert client.csrf_token is None  # it never went looking for a form

"""A contractor's session is kept server-side: sign-out ends it, and nothing they type rides in the cookie."""

import base64
import zlib
from datetime import date, timedelta

import pytest

from tests.factories import check_form, expose, give_notice_code, make_incident, make_person

TYPED_NAME = "Amina Wanjiru Okafor"
REASON = "I am suing the vendor with my own lawyer"


def readable(cookie_value: str) -> str:
    """What anyone who sees the cookie can read in it: a Flask cookie session is signed, not encrypted."""
    compressed = cookie_value.startswith(".")
    payload = cookie_value.lstrip(".").split(".")[0]
    try:
        data = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
        return (zlib.decompress(data) if compressed else data).decode("utf-8", "replace")
    except (ValueError, zlib.error):
        return cookie_value


@pytest.fixture
def incident(app_ctx):
    return make_incident(claim_deadline=date.today() + timedelta(days=30))


@pytest.fixture
def signed_in(client, incident):
    person = make_person("C-SESSION", first_name="Amina")
    expose(person, incident, "payment")
    data = check_form(give_notice_code(person, incident), "Okafor", "1990-03-27")
    client.get("/check")
    before = client.get_cookie("session").value
    response = client.post("/check", data=data)
    assert response.status_code == 302 and response.location.endswith("/my")
    assert client.get_cookie("session").value != before  # verifying starts a session with a new id
    client.get("/my")
    return client


def cookie(client) -> str:
    return client.get_cookie("session").value


def with_cookie(app, value: str):
    other = app.test_client()
    other.set_cookie("session", value)
    return other


def test_a_cookie_copied_before_sign_out_opens_nothing_after(app, signed_in):
    copied = cookie(signed_in)
    assert with_cookie(app, copied).get("/my").status_code == 200
    signed_in.post("/sign-out")
    response = with_cookie(app, copied).get("/my")
    assert response.status_code == 302 and response.location.endswith("/check")


def test_an_exclusion_draft_is_never_in_the_cookie_and_is_gone_after_sign_out(app, signed_in, incident):
    response = signed_in.post(f"/my/exclusion/{incident.slug}", data={"reason": REASON, "typed_name": TYPED_NAME})
    assert response.status_code == 302 and response.location.endswith("/check")
    draft_page = signed_in.get(f"/my/exclusion/{incident.slug}/check").get_data(as_text=True)
    assert TYPED_NAME in draft_page and REASON in draft_page  # kept for the check-your-answers page...
    copied = cookie(signed_in)
    assert TYPED_NAME not in readable(copied) and REASON not in readable(copied)  # ...but not in the cookie

    signed_in.post("/sign-out")
    response = with_cookie(app, copied).get(f"/my/exclusion/{incident.slug}/check")
    assert response.status_code == 302 and response.location.endswith("/check")
    left = signed_in.get_cookie("session")
    assert left is None or (TYPED_NAME not in readable(left.value) and REASON not in readable(left.value))


def test_an_expired_contractor_session_takes_the_draft_with_it(app, signed_in, incident, monkeypatch):
    signed_in.post(f"/my/exclusion/{incident.slug}", data={"reason": REASON, "typed_name": TYPED_NAME})
    monkeypatch.setitem(app.config, "CONTRACTOR_SESSION_MINUTES", 0)
    assert signed_in.get("/my").status_code == 302  # expired: checked again
    with signed_in.session_transaction() as session:
        assert "exclusion_draft" not in session

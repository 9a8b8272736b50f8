"""The public page "Is this message from us?": the official list, the sender check, the code check."""

from datetime import timedelta

import pytest

from portal.constants import NoticeCodeSource
from portal.core.time import utcnow
from portal.crypto.notice_codes import normalize_notice_code, notice_code_hash
from portal.extensions import db
from portal.models import NoticeCode
from tests.factories import give_notice_code, make_incident, make_person


@pytest.fixture
def organisation(app, monkeypatch):
    for key, value in {
        "ORGANISATION_LEGAL_NAME": "Example Org Ltd",
        "ORGANISATION_SENDER_ADDRESSES": "notices@example-org.test",
        "ORGANISATION_SENDER_DOMAINS": "example-org.test",
        "ORGANISATION_PHONES": "KE | +254 20 765 4321 | Mon-Fri 8-18",
    }.items():
        monkeypatch.setitem(app.config, key, value)


def test_the_page_lists_our_senders_domains_phones_address_and_what_we_never_do(client, organisation):
    page = text_of(client.get("/is-this-from-us"))
    for expected in ("Example Org Ltd", "notices@example-org.test", "example-org.test", "+254 20 765 4321"):
        assert expected in page
    assert "Kenya" in page and "Mon-Fri 8-18" in page
    assert "send attachments" in page and "pay a fee" in page
    assert 'href="/report-suspicious"' in page


def test_every_public_page_links_the_check_page_in_its_footer(client, organisation, app_ctx):
    make_incident()
    for path in ("/", "/check", "/lost-code", "/report-suspicious"):
        page = client.get(path).get_data(as_text=True)
        assert 'href="/is-this-from-us"' in page, path
        assert "run by Example Org Ltd" in page, path


def test_our_sender_is_ours_and_a_look_alike_is_an_imitation(client, organisation):
    ours = client.post("/is-this-from-us/sender", data={"sender": "Notices@Example-Org.test"})
    assert ours.status_code == 200 and "This is ours." in text_of(ours)
    fake = client.post("/is-this-from-us/sender", data={"sender": "https://examp1e-org.test/pay"})
    text = text_of(fake)
    assert "This is an imitation" in text and "example-org.test" in text
    other = client.post("/is-this-from-us/sender", data={"sender": "+1 555 0100 999"})
    assert "This is not one of ours." in other.get_data(as_text=True)


def test_an_empty_sender_gets_a_clear_error(client):
    answer = client.post("/is-this-from-us/sender", data={"sender": "  "})
    assert answer.status_code == 400
    assert "Paste or type the sender" in answer.get_data(as_text=True)


@pytest.fixture
def codes(app_ctx):
    incident = make_incident()
    person = make_person("C-1", last_name="Secretname", email="secret.person@example.org")
    revoked = give_notice_code(person, incident, source=NoticeCodeSource.IMPORT)
    valid = give_notice_code(person, incident, source=NoticeCodeSource.IMPORT)
    row = db.session.query(NoticeCode).filter_by(code_hash=notice_code_hash(normalize_notice_code(revoked)))
    row.one().revoked_at = utcnow()
    db.session.commit()
    return {"valid": valid, "revoked": revoked}


def _check_code(client, code):
    return client.post("/is-this-from-us/code", data={"notice_code": code})


def text_of(answer) -> str:
    """The page as read: addresses carry <wbr> break points (portal/core/rendering.py)."""
    return answer.get_data(as_text=True).replace("<wbr>", "")


def test_a_valid_code_says_issued_when_and_how_and_nothing_about_the_person(client, codes):
    answer = _check_code(client, codes["valid"].lower())
    text = answer.get_data(as_text=True)
    assert answer.status_code == 200
    assert "We issued this code, and it is still valid." in text and "by letter" in text
    for private in ("Secretname", "Amina", "secret.person", "C-1", codes["valid"]):
        assert private not in text


def test_a_revoked_code_and_an_unknown_code(client, codes):
    assert "it no longer works" in _check_code(client, codes["revoked"]).get_data(as_text=True)
    assert "We did not issue this code." in _check_code(client, "AAAA-BBBB-CCCC").get_data(as_text=True)
    assert "We did not issue this code." in _check_code(client, "not a code at all").get_data(as_text=True)


def test_an_expired_reissued_code_no_longer_works(client, app, codes):
    person = make_person("C-2")
    code = give_notice_code(person, source=NoticeCodeSource.REISSUE)
    row = db.session.query(NoticeCode).filter_by(person_id=person.id).one()
    row.created_at = utcnow() - timedelta(hours=app.config["REISSUED_CODE_VALID_HOURS"] + 1)
    db.session.commit()
    text = _check_code(client, code).get_data(as_text=True)
    assert "it no longer works" in text and "by email" in text


def test_checking_a_code_never_signs_in_nor_marks_the_code_used(client, codes):
    _check_code(client, codes["valid"])
    with client.session_transaction() as state:
        assert not any("person" in key or "contractor" in key for key in state), dict(state)
    assert client.get("/my").status_code in (302, 303)
    assert all(row.last_used_at is None for row in db.session.query(NoticeCode))


def test_code_checks_are_throttled_per_address(client, app, codes, monkeypatch):
    monkeypatch.setitem(app.config, "VERIFY_LIMIT_PER_IP", "3 per hour")
    for n in range(3):
        assert _check_code(client, f"AAAA-BBBB-CCC{n}").status_code == 200
    assert _check_code(client, codes["valid"]).status_code == 429


def test_code_checks_are_throttled_per_code(client, app, codes, monkeypatch):
    monkeypatch.setitem(app.config, "VERIFY_LIMIT_PER_CODE", "2 per 15 minutes")
    for n in range(2):
        client.post(
            "/is-this-from-us/code", data={"notice_code": codes["valid"]}, environ_base={"REMOTE_ADDR": f"10.0.0.{n}"}
        )
    third = client.post(
        "/is-this-from-us/code", data={"notice_code": codes["valid"]}, environ_base={"REMOTE_ADDR": "10.0.0.9"}
    )
    assert third.status_code == 429


def test_an_empty_code_form_does_not_use_up_the_limit(client, app, codes, monkeypatch):
    monkeypatch.setitem(app.config, "VERIFY_LIMIT_PER_IP", "1 per hour")
    for _ in range(3):
        assert _check_code(client, "").status_code == 400
    assert _check_code(client, codes["valid"]).status_code == 200

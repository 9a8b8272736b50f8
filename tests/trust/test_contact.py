"""A contractor updates their own contact details: phone and address at once, email by a link."""

import json
import re

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import AuditEvent, ContactChange, Notification, OutboxMessage, Person
from portal.trust.contact import confirm_email_change
from tests.factories import check_form, give_notice_code, make_incident, make_person, sign_in_staff
from tests.live import race

DETAILS = {
    "phone": "+254 711 222 333",
    "line1": "22 Kenyatta Avenue",
    "line2": "",
    "city": "Mombasa",
    "postal_code": "80100",
}


@pytest.fixture
def signed_in(app, app_ctx):
    incident = make_incident()
    person = make_person("C-1", email="old@example.org", last_name="Okafor")
    code = give_notice_code(person, incident)
    client = app.test_client()
    assert client.post("/check", data=check_form(code, "Okafor", "1990-03-27")).status_code == 302
    client.get("/my/contact")  # the page holding the forms, as a browser would have it
    return client, person


def count(model, *conditions) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model).where(*conditions))


def test_the_page_needs_the_identity_check(client):
    assert client.get("/my/contact").location.endswith("/check")


def test_phone_and_address_change_at_once_audited_with_history(signed_in):
    client, person = signed_in
    assert "22 Kenyatta Avenue" not in client.get("/my/contact").get_data(as_text=True)
    assert client.post("/my/contact/details", data=DETAILS).status_code == 302
    db.session.expire_all()
    person = db.session.get(Person, person.id)
    assert person.decrypt_field("phone") == "+254 711 222 333"
    address = json.loads(person.decrypt_field("address"))
    assert (address["line1"], address["city"], address["postal_code"]) == ("22 Kenyatta Avenue", "Mombasa", "80100")
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "contact.updated")).one()
    assert json.loads(event.details) == {"changed": ["phone", "address"]} and "Kenyatta" not in event.details
    assert count(ContactChange, ContactChange.status == "applied") == 2
    # The same again changes nothing.
    client.post("/my/contact/details", data=DETAILS)
    assert count(AuditEvent, AuditEvent.action == "contact.updated") == 1


def test_bad_details_get_clear_errors(signed_in):
    client, _person = signed_in
    answer = client.post("/my/contact/details", data={**DETAILS, "phone": "call me", "line1": ""})
    text = answer.get_data(as_text=True)
    assert answer.status_code == 400 and "Enter a phone number" in text and "Enter the first line" in text


def _link(message: OutboxMessage) -> str:
    return re.search(r"https?://\S+/contact/confirm/(\S+)", message.body_text).group(1)


def test_a_new_email_is_used_only_once_its_link_is_confirmed_and_the_old_address_is_told(app, signed_in):
    client, person = signed_in
    assert client.post("/my/contact/email", data={"email": "New@Example.org"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Person, person.id).email == "old@example.org"
    sent = {m.to_address: m for m in db.session.scalars(select(OutboxMessage))}
    assert set(sent) == {"New@Example.org", "old@example.org"}
    token = _link(sent["New@Example.org"])
    assert token not in sent["old@example.org"].body_text
    # A mail scanner opening the link changes nothing; the button does.
    visitor = app.test_client()
    assert visitor.get(f"/contact/confirm/{token}").status_code == 200
    db.session.expire_all()
    assert db.session.get(Person, person.id).email == "old@example.org"
    assert visitor.post(f"/contact/confirm/{token}").status_code == 200
    db.session.expire_all()
    changed = db.session.get(Person, person.id)
    assert changed.email == "new@example.org"
    from portal.crypto import crypto

    assert changed.email_bidx == crypto().email_index("new@example.org")
    assert visitor.get(f"/contact/confirm/{token}").status_code == 410
    assert count(AuditEvent, AuditEvent.action == "contact.updated") == 1


def test_the_next_notice_code_by_email_goes_to_the_new_address(app, signed_in):
    client, _person = signed_in
    client.post("/my/contact/email", data={"email": "fresh@example.org"})
    token = _link(
        db.session.scalars(select(OutboxMessage).where(OutboxMessage.to_address == "fresh@example.org")).one()
    )
    assert confirm_email_change(token)
    from portal.verify.service import reissue_notice_code

    reissue_notice_code("fresh@example.org")
    assert (
        count(
            OutboxMessage, OutboxMessage.kind == "notice_code_reissue", OutboxMessage.to_address == "fresh@example.org"
        )
        == 1
    )


def test_staff_see_the_history_on_the_persons_page(app, signed_in):
    client, person = signed_in
    client.post("/my/contact/details", data=DETAILS)
    staff = app.test_client()
    sign_in_staff(staff, "support")
    page = staff.get(f"/staff/people/{person.uid}").get_data(as_text=True).replace("<wbr>", "")
    assert "Contact details changed by the person" in page and "+254 711 222 333" in page


def test_a_double_click_on_the_confirmation_applies_it_once(app_ctx, live_browser, signed_in):
    client, _person = signed_in
    client.post("/my/contact/email", data={"email": "race@example.org"})
    token = _link(db.session.scalars(select(OutboxMessage).where(OutboxMessage.to_address == "race@example.org")).one())
    tabs = [live_browser.tab() for _ in range(6)]
    answers = race(tabs, f"/contact/confirm/{token}")
    assert sorted(a.status for a in answers) == [200] + [410] * 5, [a.status for a in answers]
    assert count(AuditEvent, AuditEvent.action == "contact.updated") == 1


def test_a_bounced_email_prompts_the_person_to_check_their_details_until_they_do(app, signed_in):
    from tests.factories import make_batch_with_notifications

    client, person = signed_in
    assert "did not arrive" not in client.get("/my").get_data(as_text=True)
    batch = make_batch_with_notifications(1, status="sent")
    notification = db.session.scalars(select(Notification).where(Notification.batch_id == batch.id)).one()
    notification.person_id, notification.status = person.id, "bounced"
    db.session.commit()
    assert "Our last email to you did not arrive." in client.get("/my").get_data(as_text=True)
    client.get("/my/contact")
    client.post("/my/contact/details", data=DETAILS)
    assert "did not arrive" not in client.get("/my").get_data(as_text=True)


def test_a_returned_letter_prompts_the_person_to_check_their_postal_address_until_they_change_it(app, app_ctx):
    from portal.trust.vendor_imports import import_returned_letters
    from tests.factories import expose

    incident = make_incident()
    person = make_person("C-R1", email="r1@example.org", last_name="Okafor")
    expose(person, incident, "address")
    client = app.test_client()
    assert (
        client.post("/check", data=check_form(give_notice_code(person, incident), "Okafor", "1990-03-27")).status_code
        == 302
    )
    assert "came back to us" not in client.get("/my").get_data(as_text=True)

    report = import_returned_letters(incident, b"contractor_id,returned_on,reason\nC-R1,2026-11-02,Moved away\n")
    assert report.added == 1
    page = client.get("/my").get_data(as_text=True)
    assert "A letter we sent you came back to us." in page and "Our last email" not in page
    assert 'href="/my/contact"' in page

    client.get("/my/contact")
    client.post("/my/contact/details", data={**DETAILS, "phone": "+254 700 000 001", "line1": "9 New Road"})
    assert "came back to us" not in client.get("/my").get_data(as_text=True)


def test_changing_only_the_phone_does_not_clear_the_returned_letter_prompt(app, app_ctx):
    from portal.trust.vendor_imports import import_returned_letters
    from tests.factories import expose

    incident = make_incident()
    person = make_person("C-R2", email="r2@example.org", last_name="Okafor")
    expose(person, incident, "address")
    client = app.test_client()
    assert (
        client.post("/check", data=check_form(give_notice_code(person, incident), "Okafor", "1990-03-27")).status_code
        == 302
    )
    import_returned_letters(incident, b"contractor_id,returned_on,reason\nC-R2,2026-11-02,Moved away\n")
    client.get("/my/contact")
    address = json.loads(person.decrypt_field("address"))
    same_address = {
        "line1": address["line1"],
        "line2": "",
        "city": address["city"],
        "postal_code": address["postal_code"],
    }
    client.post("/my/contact/details", data={"phone": "+254 700 000 002", **same_address})
    assert count(ContactChange, ContactChange.person_id == person.id, ContactChange.kind == "phone") == 1
    assert count(ContactChange, ContactChange.person_id == person.id, ContactChange.kind == "address") == 0
    assert "A letter we sent you came back to us." in client.get("/my").get_data(as_text=True)

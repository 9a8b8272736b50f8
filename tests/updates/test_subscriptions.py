"""Subscribing to updates, and the one-click unsubscribe link that works without signing in."""

import re

import pytest
from sqlalchemy import select

from portal.constants import MailKind
from portal.extensions import db
from portal.models import Subscription
from portal.updates.service import subscribe, token_hash
from tests.factories import expose, make_incident, make_person
from tests.monitoring.helpers import outbox, sign_in

LINK = re.compile(r"http://127\.0\.0\.1:5000(/updates/unsubscribe/[A-Za-z0-9_-]+)")


@pytest.fixture
def incident(app_ctx):
    return make_incident()


def person_in(incident, contractor_id="C-1", **fields):
    person = make_person(contractor_id, **fields)
    expose(person, incident, "contact")
    return person


def unsubscribe_path(mail) -> str:
    return LINK.search(mail.body_text).group(1)


def test_subscribing_confirms_by_email_with_an_unsubscribe_link(client, incident):
    person = person_in(incident, email="amina@example.org")
    sign_in(client, person)
    page = client.get(f"/my/updates/{incident.id}").get_data(as_text=True)
    assert "Email me updates" in page and "amina@<wbr>example.<wbr>org" in page  # it may wrap after @ and .
    response = client.post(f"/my/updates/{incident.id}/subscribe")
    assert response.status_code == 302
    assert "You get updates about this incident by email." in client.get(response.location).get_data(as_text=True)
    [mail] = outbox(MailKind.UPDATES_SUBSCRIBED)
    assert mail.to_address == "amina@example.org" and unsubscribe_path(mail)
    [subscription] = db.session.scalars(select(Subscription)).all()
    token = unsubscribe_path(mail).rsplit("/", 1)[1]
    assert token not in subscription.unsubscribe_token_hash and subscription.unsubscribe_token_hash == token_hash(token)
    assert "You get updates about this incident by email." in client.get("/my").get_data(as_text=True)


def test_the_link_asks_on_get_and_unsubscribes_on_post_without_signing_in(app, incident):
    person = person_in(incident)
    subscribe(person, incident)
    path = unsubscribe_path(outbox(MailKind.UPDATES_SUBSCRIBED)[0])
    stranger = app.test_client()  # no session: straight from the email
    page = stranger.get(path)
    assert page.status_code == 200 and "Stop updates" in page.get_data(as_text=True)
    subscription = db.session.scalar(select(Subscription))
    db.session.refresh(subscription)
    assert subscription.unsubscribed_at is None  # a mail scanner's GET changes nothing
    done = stranger.post(path)
    assert done.status_code == 200 and "Updates stopped" in done.get_data(as_text=True)
    db.session.refresh(subscription)
    assert subscription.unsubscribed_at is not None
    assert stranger.get(path).status_code == 404  # used up


def test_a_wrong_token_does_nothing_and_a_token_only_works_for_its_owner(app, incident):
    owner, other = person_in(incident, "C-1"), person_in(incident, "C-2")
    subscribe(owner, incident)
    subscribe(other, incident)
    owner_path = unsubscribe_path(outbox(MailKind.UPDATES_SUBSCRIBED)[0])
    client = app.test_client()
    client.get(owner_path)  # the owner's own page, whose form a tampered address is then posted with
    for wrong in ("A" * 43, owner_path.rsplit("/", 1)[1][:-1] + "x", "x" * 300):
        response = client.post(f"/updates/unsubscribe/{wrong}")
        assert response.status_code == 404 and "This link does not work" in response.get_data(as_text=True)
    client.post(owner_path)
    rows = {s.person_id: s.unsubscribed_at for s in db.session.scalars(select(Subscription)).all()}
    assert rows[owner.id] is not None and rows[other.id] is None


def test_every_email_carries_the_same_working_link_and_resubscribing_changes_it(app, client, incident):
    person = person_in(incident)
    subscribe(person, incident)
    first = unsubscribe_path(outbox()[0])
    assert subscribe(person, incident) is not None and len(outbox()) == 1  # already subscribed: no second mail
    app.test_client().post(first)
    sign_in(client, person)
    client.post(f"/my/updates/{incident.id}/subscribe")
    second = unsubscribe_path(outbox()[-1])
    assert second != first
    assert app.test_client().get(first).status_code == 404
    assert app.test_client().get(second).status_code == 200


def test_stopping_from_the_signed_in_page(client, incident):
    person = person_in(incident)
    sign_in(client, person)
    client.post(f"/my/updates/{incident.id}/subscribe")
    client.post(f"/my/updates/{incident.id}/stop")
    assert db.session.scalar(select(Subscription)).unsubscribed_at is not None
    assert "Email me updates" in client.get(f"/my/updates/{incident.id}").get_data(as_text=True)


def test_nobody_subscribes_to_an_incident_they_are_not_in(client, incident):
    person = person_in(incident)
    elsewhere = make_incident("elsewhere")
    sign_in(client, person)
    assert client.get(f"/my/updates/{elsewhere.id}").status_code == 404
    assert client.post(f"/my/updates/{elsewhere.id}/subscribe").status_code == 404
    assert db.session.scalar(select(Subscription)) is None

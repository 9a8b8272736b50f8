"""Subscribing is one-shot: eight tabs pressing "Send me updates" at once send one confirmation.

A first subscription was already guarded by the (person, incident) unique constraint. Coming back
after unsubscribing was not: every tab read the ended subscription, each revived it and each
emailed a confirmation, with a different unsubscribe link in each (only the last one working).
"""

from sqlalchemy import select

from portal.constants import MailKind
from portal.extensions import db
from portal.models import Subscription
from portal.updates.service import end_subscription, subscribe, token_hash
from tests.claims.test_one_shot import TABS
from tests.factories import expose, give_notice_code, make_incident, make_person
from tests.live import race
from tests.monitoring.helpers import outbox
from tests.updates.test_subscriptions import unsubscribe_path


def _signed_in_tabs(live_browser, person, incident):
    live_browser.sign_in_contractor(give_notice_code(person, incident), person.last_name, "1990-03-27")
    return [live_browser.tab() for _ in range(TABS)]


def _race_subscribe(tabs, incident):
    page = f"/my/updates/{incident.id}"
    answers = race(tabs, page, post_to=f"{page}/subscribe")
    assert all(a.status == 302 and a.location.endswith(page) for a in answers), [
        (a.status, a.text[:200]) for a in answers
    ]


def test_concurrent_first_subscriptions_send_one_confirmation(app_ctx, live_browser):
    incident = make_incident()
    person = make_person("C-SUB", email="sub@example.org")
    expose(person, incident, "contact")

    _race_subscribe(_signed_in_tabs(live_browser, person, incident), incident)

    db.session.expire_all()
    assert len(db.session.scalars(select(Subscription)).all()) == 1
    assert len(outbox(MailKind.UPDATES_SUBSCRIBED)) == 1


def test_concurrent_resubscriptions_send_one_confirmation_whose_link_works(app_ctx, live_browser):
    incident = make_incident()
    person = make_person("C-RESUB", email="resub@example.org")
    expose(person, incident, "contact")
    end_subscription(subscribe(person, incident))
    before = len(outbox(MailKind.UPDATES_SUBSCRIBED))

    _race_subscribe(_signed_in_tabs(live_browser, person, incident), incident)

    db.session.expire_all()
    mails = outbox(MailKind.UPDATES_SUBSCRIBED)[before:]
    assert len(mails) == 1
    [subscription] = db.session.scalars(select(Subscription)).all()
    assert subscription.unsubscribed_at is None
    # The one confirmation carries the link that is stored: it unsubscribes.
    assert subscription.unsubscribe_token_hash == token_hash(unsubscribe_path(mails[0]).rsplit("/", 1)[1])

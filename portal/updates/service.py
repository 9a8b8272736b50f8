"""Subscriptions to an incident's updates, alerts about new exposures, and posted incident updates.

The unsubscribe token in every update email is an HMAC under a server key of the subscription's
owner, incident and subscription time: 256 bits no one without the key can produce, the same in
every email (so a link in an old email still works), and changed by re-subscribing. Only its
keyed hash is stored, as the look-up key, like notice codes.
"""

import base64
import hmac
from collections import defaultdict
from datetime import UTC, timedelta
from hashlib import sha256

from flask import render_template
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from portal.audit.chain import record_audit
from portal.constants import SEVERITY_ORDER, AuditAction, MailKind
from portal.core.taxonomy import load_taxonomy
from portal.core.time import utcnow
from portal.crypto import crypto
from portal.dao.incidents import dao_get_incident
from portal.dao.people import dao_get_person
from portal.dao.updates import (
    dao_add_incident_update_unless_repeated,
    dao_add_subscription,
    dao_count_active_subscribers,
    dao_get_subscription,
    dao_get_subscription_by_token_hash,
    dao_get_unannounced_exposures,
    dao_iter_active_subscribers,
    dao_mark_exposures_alerted,
    dao_revive_subscription,
)
from portal.extensions import db
from portal.mail import Message, send_message
from portal.models import Incident, IncidentUpdate, Person, Subscription
from portal.updates.mail import in_language_of, public_url

REPEAT_WINDOW = timedelta(minutes=10)


def _now_ms():
    """Now, rounded up to the millisecond: what every database we support stores exactly.

    The unsubscribe token is derived from it, so it must read back unchanged. Rounded up, not down,
    because exposures keep microseconds: one recorded a moment before the subscription, in the
    same millisecond, must still count as known before it and never be announced as new.
    """
    now = utcnow()
    whole = now.replace(microsecond=now.microsecond // 1000 * 1000)
    return whole if whole == now else whole + timedelta(milliseconds=1)


def unsubscribe_token(subscription: Subscription, person: Person) -> str:
    payload = (
        f"unsubscribe\x00{person.uid}\x00{subscription.incident_id}\x00"
        f"{subscription.subscribed_at.astimezone(UTC).isoformat(timespec='milliseconds')}"
    )
    digest = hmac.new(crypto().codes.key, payload.encode(), sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def token_hash(token: str) -> str:
    return crypto().codes.digest("unsubscribe", token)


def unsubscribe_url(subscription: Subscription, person: Person) -> str:
    return public_url("updates.unsubscribe", token=unsubscribe_token(subscription, person))


def active_subscription(person: Person, incident: Incident) -> Subscription | None:
    subscription = dao_get_subscription(person.id, incident.id)
    return subscription if subscription is not None and subscription.unsubscribed_at is None else None


def subscribe(person: Person, incident: Incident) -> Subscription:
    """Subscribe (or re-subscribe) and email a confirmation carrying the unsubscribe link. Idempotent."""
    subscription = dao_get_subscription(person.id, incident.id)
    if subscription is not None and subscription.unsubscribed_at is None:
        return subscription
    if subscription is None:
        subscription = Subscription(person_id=person.id, incident_id=incident.id, subscribed_at=_now_ms())
        subscription.unsubscribe_token_hash = token_hash(unsubscribe_token(subscription, person))
        try:
            dao_add_subscription(subscription)
        except IntegrityError:  # the person's twin request subscribed a moment ago
            db.session.rollback()
            return dao_get_subscription(person.id, incident.id)
    else:
        # Coming back after unsubscribing: a compare-and-set, so of several tabs pressing at once
        # one revives it and mails the confirmation; the others read what it stored (each mailing
        # its own link would leave all but the last link dead).
        subscribed_at = _now_ms()
        revived = Subscription(person_id=person.id, incident_id=incident.id, subscribed_at=subscribed_at)
        if not dao_revive_subscription(subscription.id, subscribed_at, token_hash(unsubscribe_token(revived, person))):
            db.session.rollback()
            return dao_get_subscription(person.id, incident.id)
        db.session.refresh(subscription)
    _send(
        person,
        _l("You will get updates about %(incident)s", incident=incident.title),
        "updates/mail_subscribed.txt",
        MailKind.UPDATES_SUBSCRIBED,
        subscription,
        incident=incident,
    )
    db.session.commit()
    return subscription


def end_subscription(subscription: Subscription) -> None:
    if subscription.unsubscribed_at is None:
        subscription.unsubscribed_at = utcnow()
    db.session.commit()


def subscription_for_token(token: str) -> tuple[Subscription, Incident] | None:
    """The active subscription this unsubscribe token belongs to, or None (wrong, old or used token)."""
    if not token or len(token) > 100:
        return None
    subscription = dao_get_subscription_by_token_hash(token_hash(token))
    if subscription is None or subscription.unsubscribed_at is not None:
        return None
    return subscription, dao_get_incident(subscription.incident_id)


def _send(person: Person, subject, template: str, kind: str, subscription: Subscription, **context) -> bool:
    """One plain-text email to a subscriber, in their language, with their own unsubscribe link.

    ``subject`` is a lazy string, so it too is translated into the person's language here.
    """
    if not person.email:
        return False
    with in_language_of(person):
        body = render_template(
            template,
            unsubscribe_url=unsubscribe_url(subscription, person),
            check_url=public_url("verify.check"),
            lost_code_url=public_url("verify.lost_code"),
            portal_url=public_url("public.incident_page"),
            **context,
        )
        message = Message(kind=kind, to_address=person.email, subject=str(subject), body_text=body)
    return send_message(message)


def alert_subscribers_of_new_exposures(incident: Incident) -> int:
    """Email each subscriber whose record in ``incident`` gained categories since they subscribed, once.

    Called after a register import commits. An exposure is announced when its ``alerted_at`` is
    set, in the same transaction as the email is handed over, so a second run (or a re-import of
    the same files) finds nothing to announce. Returns how many people were emailed.
    """
    if not dao_count_active_subscribers([incident.id]):
        return 0  # the usual case during a first import, and cheap: no join over every exposure
    taxonomy = load_taxonomy()
    by_person: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for person_id, exposure_id, category in dao_get_unannounced_exposures(incident.id):
        by_person[person_id].append((exposure_id, category))
    db.session.rollback()  # end the read; each person below is their own transaction
    emailed = 0
    for person_id, items in by_person.items():
        ids = [exposure_id for exposure_id, _category in items]
        if dao_mark_exposures_alerted(ids, utcnow()) != len(ids):
            db.session.rollback()  # a concurrent run is announcing these
            continue
        person = dao_get_person(person_id)
        subscription = dao_get_subscription(person_id, incident.id)
        categories = sorted(
            {taxonomy[category] for _id, category in items if category in taxonomy},
            key=lambda item: (SEVERITY_ORDER[item.severity], item.code),
        )
        with in_language_of(person):
            titles = [_(category.title) for category in categories]
        emailed += _send(
            person,
            _l("New information about you in %(incident)s", incident=incident.title),
            "updates/mail_new_exposures.txt",
            MailKind.NEW_EXPOSURES,
            subscription,
            incident=incident,
            titles=titles,
        )
        db.session.commit()
    return emailed


def publish_incident_update(
    incident: Incident, title: str, body_markdown: str, staff_user_id: int | None
) -> int | None:
    """Post the update on the public page, then email it to every subscriber. Returns how many were emailed.

    Sent in this request, one message at a time: fine for the outbox and for a few thousand
    subscribers; a much larger list belongs in the batch sender (see docs/monitoring.md).
    A second click on the publish button (the same title and text within ten minutes) posts and
    mails nothing more, and returns None: every subscriber would otherwise get the update twice.
    """
    title, body_markdown = title.strip(), body_markdown.strip()
    row = dao_add_incident_update_unless_repeated(
        incident.id, title, body_markdown, staff_user_id, utcnow(), REPEAT_WINDOW
    )
    if row is None:
        db.session.rollback()
        return None
    record_audit(
        AuditAction.INCIDENT_UPDATE_PUBLISHED, f"incident_update:{row.id}", details={"incident": incident.slug}
    )
    db.session.commit()
    return email_incident_update(row)


def email_incident_update(row: IncidentUpdate) -> int:
    incident = dao_get_incident(row.incident_id)
    emailed = 0
    for subscription, person in dao_iter_active_subscribers(incident.id):
        emailed += _send(
            person,
            _l("Update: %(title)s", title=row.title),
            "updates/mail_incident_update.txt",
            MailKind.INCIDENT_UPDATE,
            subscription,
            incident=incident,
            update=row,
        )
    row.emailed_at = utcnow()
    record_audit(
        AuditAction.INCIDENT_UPDATE_EMAILED,
        f"incident_update:{row.id}",
        details={"incident": incident.slug, "emailed": emailed},
    )
    db.session.commit()
    return emailed

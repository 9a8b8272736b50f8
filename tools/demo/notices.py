"""A notice template and one sent email batch for ``flask dev demo-data``.

Goes through the same services as the staff pages: the template is the "Notice of Data Breach"
starter filled in with the incident's own text, one admin creates the batch and a second approves
it, the sending engine delivers it to the outbox, and the delivery events a provider would post
(delivered; one bounce) go through the webhook's own service. So the batch page shows a finished
batch with a bounce, and "Create a letter batch for the bounced" has someone to write to.
"""

from datetime import UTC, datetime

from flask import current_app
from sqlalchemy import select

from portal.batches.audience import (
    Audience,
)
from portal.batches.service import approve_batch, batch_fingerprint, create_batch
from portal.constants import AudienceKind, Channel
from portal.extensions import db
from portal.legal.jurisdictions import load_rules
from portal.models import Incident, Notification, Person, StaffUser
from portal.notice_templates.service import create_template, get_latest_version, starter_text
from portal.webhooks.service import record_delivery_events

BATCH_NAME = "First notices by email"
FIRST_WAVE = 20  # people from the generated register; the rest are left for the newcomer to notify
BOUNCE_REASON = "550 5.1.1 The email account that you tried to reach does not exist."


def _template_body(incident: Incident) -> tuple[str, str]:
    subject, body = starter_text(incident)
    body = body.replace(
        "[Say what happened, when it happened and when it was discovered.]", incident.what_happened.strip()
    )
    body = body.replace(
        "[Say what you have done to contain the incident and protect the people affected.]",
        incident.what_we_are_doing.strip(),
    )
    return subject, body


def send_demo_batch(incident: Incident, creator: StaffUser, approver: StaffUser, bounced_contractor_id: str) -> int:
    """Template, batch and delivery outcome; the batch's id."""
    subject, body = _template_body(incident)
    template = create_template(incident.id, "Notice of data breach", subject, body, creator)
    version = get_latest_version(template.id)
    # The first wave is people whose law sets no content rules the starter text could miss: the
    # others (California, Massachusetts, the EU…) are left for the newcomer, whose approval then
    # shows the jurisdiction check blocking until the template has their variants (docs/staff.md).
    rules = load_rules()
    candidates = db.session.execute(
        select(Person.contractor_id, Person.country, Person.region)
        .where(Person.contractor_id.like("CTR-1%"))
        .order_by(Person.contractor_id)
    )
    wave = [
        contractor_id
        for contractor_id, country, region in candidates
        if not any(j.required_content or j.forbidden_content for j in rules.for_place(country, region or ""))
    ][:FIRST_WAVE]
    audience = Audience(kind=AudienceKind.LIST, contractor_ids=(*wave, bounced_contractor_id))
    batch = create_batch(BATCH_NAME, version.id, Channel.EMAIL, creator, audience)
    engine = current_app.config["SENDING_ENGINE"]
    # The command must not return before the batch is sent: no background thread in a CLI process.
    current_app.config["SENDING_ENGINE"] = "inline"
    try:
        approve_batch(batch.id, approver, batch_fingerprint(batch))
    finally:
        current_app.config["SENDING_ENGINE"] = engine
    _post_delivery_events(batch.id, bounced_contractor_id)
    return batch.id


def _post_delivery_events(batch_id: int, bounced_contractor_id: str) -> None:
    """What the provider's event webhook would report: each notice delivered, one bounced."""
    rows = db.session.execute(
        select(Notification.id, Person.contractor_id)
        .join(Person, Person.id == Notification.person_id)
        .where(Notification.batch_id == batch_id)
    ).all()
    now = int(datetime.now(UTC).timestamp())
    events = []
    for notification_id, contractor_id in rows:
        bounced = contractor_id == bounced_contractor_id
        events.append(
            {
                "event": "bounce" if bounced else "delivered",
                "timestamp": now,
                "notification_id": str(notification_id),
                "sg_event_id": f"demo-{batch_id}-{notification_id}",
                "sg_message_id": f"demo-{batch_id}.{notification_id}",
                "reason": BOUNCE_REASON if bounced else "",
            }
        )
    record_delivery_events(events)

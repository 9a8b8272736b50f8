"""Support send a caller their notice again: by email, or by letter through the letters-on-request queue.

A deliberate exception to the two-admin rule, for one person at a time: the agent checks the
caller's date of birth first, types a reason, and confirms on a "check your answers" page; the
reason is audited. By email the notice goes through the normal sending path: a one-person batch,
approved by the agent, frozen like any batch (the person's language, their jurisdiction's variant,
the same compliance check) and sent by the sending engine, which issues a fresh notice code. By
letter the person joins the letters-on-request queue for the next approved letter file, which
prints a fresh code.

The codes issued before keep working, as with every notice the portal sends: a notice code stops
working only when a newer one of the person's is used (portal/verify/service.py). A caller who
says the notice never arrived may still find it later, and the fresh code closes the older ones
the moment it is used. If the caller thinks someone else has their code, revoke it instead.

A double click, or two agents with the same caller at once, send one notice: each resend first
records itself with one conditional statement (portal/dao/support_resends.py) that only one of two
simultaneous requests can win, in the transaction that writes the resend and its audit row.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _

from portal.audit.chain import record_audit
from portal.batches.audience import (
    Audience,
)
from portal.batches.service import freeze_recipients
from portal.constants import AudienceKind, BatchStatus, Channel
from portal.core.time import utcnow
from portal.dao.batches import dao_add_batch
from portal.dao.notifications import dao_get_person_notifications
from portal.dao.support_resends import dao_claim_support_resend
from portal.extensions import db
from portal.legal.compliance import batch_compliance_gaps
from portal.models import Batch, Person, StaffUser
from portal.sending import service as sending
from portal.trust.constants import LetterRequestSource
from portal.trust.letters_by_post import queue_letter

log = logging.getLogger(__name__)
NOTICE_RESENT = "notice.resent"  # audit: channel, the one-person batch, the agent's reason
RESEND_CHANNELS = (Channel.EMAIL.value, Channel.LETTER.value)


class ResendRefused(ValueError):
    """The resend cannot be done; the message is for the support agent."""


class AlreadyResent(ResendRefused):
    """Someone (this agent's other click, or a colleague) has just sent it."""


@dataclass(frozen=True)
class ResendPlan:
    """What the agent confirms on the check page."""

    channel: str
    incident_id: int
    template_version_id: int
    template: str
    version: int


def resend_plan(person: Person, channel: str) -> ResendPlan:
    """The notice this person would be sent again: the one of their latest batch, by ``channel``."""
    if channel == Channel.EMAIL and not person.email:
        raise ResendRefused(_("There is no email address on the register for this person. Send a letter instead."))
    if channel == Channel.LETTER and not person.address_enc:
        raise ResendRefused(_("There is no postal address on the register for this person."))
    sent = dao_get_person_notifications(person.id)
    if not sent:
        raise ResendRefused(_("No notice has been sent to this person yet, so there is nothing to send again."))
    _notification, batch, template, version = sent[0]
    return ResendPlan(channel, batch.incident_id, batch.template_version_id, template, version)


def _guard(person: Person, channel: str, now: datetime) -> None:
    minutes = current_app.config["SUPPORT_RESEND_MINUTES"]
    if not dao_claim_support_resend(person.id, channel, now, now - timedelta(minutes=minutes)):
        db.session.rollback()
        raise AlreadyResent(
            _("This was sent again less than %(num)d minutes ago, perhaps by a colleague. Check the history below.")
            % {"num": minutes}
        )


def resend_by_email(person: Person, agent: StaffUser, reason: str) -> Batch:
    """A one-person batch of the person's latest notice, approved by the agent and handed to the sender."""
    plan = resend_plan(person, Channel.EMAIL)
    now = utcnow()
    _guard(person, Channel.EMAIL, now)
    batch = dao_add_batch(
        Batch(
            incident_id=plan.incident_id,
            template_version_id=plan.template_version_id,
            name=_("Notice sent again by support"),
            channel=Channel.EMAIL.value,
            status=BatchStatus.APPROVED.value,
            audience=Audience(kind=AudienceKind.LIST, contractor_ids=(person.contractor_id,)).to_json(),
            audience_count=0,
            created_by_id=agent.id,
            approved_by_id=agent.id,
            approved_at=now,
            stop_reason="",
            letter_file="",
            letter_sha256="",
        )
    )
    if batch_compliance_gaps(batch):
        db.session.rollback()
        raise ResendRefused(
            _("This notice has no version this person's law allows in their language. Ask an admin to add one.")
        )
    count = freeze_recipients(batch, now)
    if count != 1:  # excluded, opted out, or no longer in the incident
        db.session.rollback()
        raise ResendRefused(_("This person is no longer in this notice's audience, so it cannot be sent again."))
    batch.audience_count = count
    record_audit(
        NOTICE_RESENT, f"person:{person.uid}", {"channel": Channel.EMAIL.value, "batch": batch.id, "reason": reason}
    )
    db.session.commit()
    try:
        sending.dispatch_batch(batch.id)
    except Exception:  # the batch stands; its page offers "Start sending", as after a batch approval
        db.session.rollback()
        log.exception("support resend batch %s did not start sending", batch.id)
    return batch


def resend_by_letter(person: Person, reason: str) -> None:
    """Queue the person a letter with a fresh code for the next approved letter file."""
    resend_plan(person, Channel.LETTER)
    now = utcnow()
    _guard(person, Channel.LETTER, now)
    if not queue_letter(person, LetterRequestSource.SUPPORT, details={"reason": reason}):
        db.session.rollback()
        raise AlreadyResent(_("A letter for this person is already waiting in the queue."))
    db.session.commit()

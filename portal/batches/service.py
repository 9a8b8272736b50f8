"""Batches: create, choose the audience, schedule, approve (a second admin), cancel, retry, resolve.

Approval is the moment of truth: the audience is frozen into Notification rows in one INSERT …
SELECT inside the same transaction that moves the batch out of ``draft``, so either every
recipient is queued and the approval is recorded, or nothing is. The sending itself belongs to
``portal.sending``; this module only decides when to hand a batch over.
"""

import hashlib
import json
import logging
from datetime import datetime

from flask_babel import gettext as _

from portal.audit.chain import record_audit
from portal.batches.audience import (
    Audience,
    audience_query,
    batch_audience,
)
from portal.batches.letters import LetterFileError, produce_letter_file
from portal.constants import AuditAction, BatchStatus, Channel, UnknownResolution
from portal.core.time import utcnow
from portal.dao.audience import recipient_language
from portal.dao.batches import (
    dao_add_batch,
    dao_claim_batch_for_approval,
    dao_count,
    dao_freeze_audience,
    dao_get_batch,
    dao_get_batches_with_templates,
)
from portal.dao.templates import (
    dao_get_template_languages,
    dao_get_template_versions_with_incidents,
    dao_get_variant_keys,
)
from portal.extensions import db
from portal.legal.compliance import ComplianceGap, batch_compliance_gaps
from portal.legal.variants import recipient_jurisdiction
from portal.models import Batch, Incident, NoticeTemplate, Person, StaffUser
from portal.sending import service as sending

log = logging.getLogger(__name__)


class BatchError(ValueError):
    """An action on a batch was refused; the message is fit to show the admin."""


def list_batches() -> list[tuple[Batch, Incident, NoticeTemplate, int]]:
    return dao_get_batches_with_templates()


def get_batch(batch_id: int) -> Batch | None:
    return dao_get_batch(batch_id)


def template_version_choices() -> list[tuple[int, str]]:
    """Every template version a batch can pin, labelled "Incident - template, version n (languages)"."""
    choices = []
    for version, template, incident in dao_get_template_versions_with_incidents():
        languages = ", ".join(sorted(c.language for c in version.contents))
        label = _(
            "%(incident)s – %(template)s, version %(n)d (%(languages)s)",
            incident=incident.title,
            template=template.name,
            n=version.version,
            languages=languages,
        )
        choices.append((version.id, label))
    return choices


def create_batch(
    name: str, version_id: int, channel: str, creator: StaffUser, audience: Audience | None = None
) -> Batch:
    """A draft batch. Its audience starts as everyone affected by the template's incident."""
    found = {
        version.id: (version, template) for version, template, _incident in dao_get_template_versions_with_incidents()
    }
    if version_id not in found:
        raise BatchError(_("Choose a template version"))
    if channel not in tuple(Channel):
        raise BatchError(_("Choose email or letter"))
    version, template = found[version_id]
    batch = dao_add_batch(
        Batch(
            incident_id=template.incident_id,
            template_version_id=version.id,
            name=name.strip(),
            channel=channel,
            status=BatchStatus.DRAFT,
            audience=(audience or Audience()).to_json(),
            audience_count=0,
            created_by_id=creator.id,
            stop_reason="",
            letter_file="",
            letter_sha256="",
        )
    )
    record_audit(
        AuditAction.BATCH_CREATED,
        f"batch:{batch.id}",
        {"template_version": version.id, "channel": channel, "incident": template.incident_id},
    )
    db.session.commit()
    return batch


def _require_draft(batch: Batch) -> None:
    if batch.status != BatchStatus.DRAFT:
        raise BatchError(_("This batch has been approved or cancelled, so it cannot be changed."))


def set_audience(batch: Batch, audience: Audience) -> None:
    """Replace a draft's audience (a filter, or a list already checked by ``parse_contractor_ids``)."""
    _require_draft(batch)
    batch.audience = audience.to_json()
    details = {"kind": audience.kind, "contractor_ids": len(audience.contractor_ids)}
    if audience.kind != "list":
        details.update(json.loads(audience.to_json()))
        details.pop("contractor_ids", None)
    record_audit(AuditAction.BATCH_AUDIENCE_CHANGED, f"batch:{batch.id}", details)
    db.session.commit()


def schedule_batch(batch: Batch, when: datetime | None) -> None:
    """Send as soon as approved (``None``) or not before ``when`` (UTC)."""
    _require_draft(batch)
    if batch.channel != Channel.EMAIL:
        raise BatchError(_("Letter batches are not scheduled: the letter file is made when the batch is approved."))
    if when is not None and when <= utcnow():
        raise BatchError(_("The time must be in the future"))
    batch.scheduled_for = when
    record_audit(
        AuditAction.BATCH_SCHEDULED, f"batch:{batch.id}", {"scheduled_for": when.isoformat() if when else None}
    )
    db.session.commit()


def count_audience(batch: Batch) -> int:
    """How many people the batch would reach now (a draft) or was frozen with (after approval)."""
    if batch.status != BatchStatus.DRAFT:
        return batch.audience_count
    return dao_count(audience_query(batch, Person.id))


def batch_fingerprint(batch: Batch) -> str:
    """What the approver was shown. If it changes meanwhile, the approval is refused.

    That includes the count: if an import changed who is in the audience after the approver read
    "N people", they approve again knowing the new number.
    """
    shown = {
        "name": batch.name,
        "template_version": batch.template_version_id,
        "channel": batch.channel,
        "audience": batch_audience(batch).to_json(),
        "count": count_audience(batch),
        "scheduled_for": batch.scheduled_for.isoformat() if batch.scheduled_for else None,
    }
    return hashlib.sha256(json.dumps(shown, sort_keys=True).encode()).hexdigest()


class BatchBlocked(BatchError):
    """Some recipients would get text their law does not allow; ``gaps`` say who and what is missing."""

    def __init__(self, gaps: list[ComplianceGap]):
        super().__init__(
            _("Some recipients would get a notice their law does not allow. Add a compliant variant, then approve.")
        )
        self.gaps = gaps


def check_can_approve(batch: Batch, approver: StaffUser) -> None:
    if batch.created_by_id == approver.id:
        raise BatchError(_("You created this batch, so a different admin must approve it."))
    if batch.status != BatchStatus.DRAFT:
        raise BatchError(_("This batch has already been approved or cancelled."))


def approve_batch(batch_id: int, approver: StaffUser, fingerprint: str) -> Batch:
    """Freeze the audience into queued notifications and start (or schedule) the sending."""
    batch = dao_get_batch(batch_id)
    if batch is None:
        raise BatchError(_("There is no such batch."))
    check_can_approve(batch, approver)
    if fingerprint != batch_fingerprint(batch):
        raise BatchError(_("The batch was changed after you opened the approval page. Check it again."))
    gaps = batch_compliance_gaps(batch)
    if gaps:
        raise BatchBlocked(gaps)
    now = utcnow()
    scheduled = batch.channel == Channel.EMAIL and batch.scheduled_for is not None and batch.scheduled_for > now
    status = BatchStatus.SCHEDULED if scheduled else BatchStatus.APPROVED
    if not dao_claim_batch_for_approval(batch.id, status, approver.id, now):
        db.session.rollback()
        raise BatchError(_("This batch has already been approved or cancelled."))
    db.session.expire(batch)  # the UPDATE above went around the session
    count = freeze_recipients(batch, now)
    if count == 0:
        db.session.rollback()
        raise BatchError(_("Nobody is in this batch's audience, so there is nothing to approve."))
    batch.audience_count = count
    record_audit(
        AuditAction.BATCH_APPROVED,
        f"batch:{batch.id}",
        {
            "audience_count": count,
            "status": str(status),
            "channel": batch.channel,
            "template_version": batch.template_version_id,
            "scheduled_for": batch.scheduled_for.isoformat() if scheduled else None,
        },
    )
    if batch.channel == Channel.LETTER:
        try:
            produce_letter_file(batch, now)
        except LetterFileError as exc:
            db.session.rollback()
            raise BatchError(str(exc)) from exc
    db.session.commit()
    if batch.channel == Channel.EMAIL and not scheduled:
        try:
            sending.dispatch_batch(batch.id)
        except Exception:  # the approval stands either way; the batch page offers "Start sending"
            db.session.rollback()
            log.exception("batch %s was approved but sending did not start", batch.id)
    return batch


def freeze_recipients(batch: Batch, now: datetime) -> int:
    """Queue one notification for everyone in the batch's audience, in their language and variant.
    Also used by support's one-person resend (portal/staff/resend.py). Returns how many."""
    language = recipient_language(dao_get_template_languages(batch.template_version_id))
    # Legal hook (issue 5): each recipient gets the variant for their region or country when the
    # version has one, else the default ('') — the same choice as portal/legal/variants.choose_variant.
    jurisdiction = recipient_jurisdiction(dao_get_variant_keys(batch.template_version_id), language)
    recipients = audience_query(
        batch, Person.id.label("person_id"), language.label("language"), jurisdiction.label("jurisdiction")
    )
    return dao_freeze_audience(batch.id, recipients, now)


def needs_starting(batch: Batch) -> bool:
    """An email batch approved for now whose sending never started, or one stopped by the mail service."""
    return batch.channel == Channel.EMAIL and batch.status in (BatchStatus.APPROVED, BatchStatus.STOPPED)


def start_sending(batch_id: int) -> None:
    """Hand the batch to the sending engine again (after a failed start, or once a stop's cause is fixed)."""
    batch = dao_get_batch(batch_id)
    if batch is None or not needs_starting(batch):
        raise BatchError(_("Only an approved or stopped email batch can be started."))
    try:
        sending.dispatch_batch(batch.id)  # audited by the engine (batch.send_started)
    except sending.SendingError as exc:
        raise BatchError(str(exc)) from exc


def cancel_batch(batch_id: int, actor: StaffUser) -> int:
    """Stop everything not yet sent; returns how many notifications were stopped. Audited by the sender's
    service in the same transaction; a second click is refused."""
    try:
        return sending.cancel_batch(batch_id, actor.id)
    except sending.SendingError as exc:
        raise BatchError(_("This batch has finished or was cancelled, so there is nothing left to cancel.")) from exc


def retry_failed(batch_id: int) -> int:
    """Queue the batch's failed notifications again; returns how many."""
    try:
        return sending.retry_failed(batch_id)
    except sending.NothingToDo as exc:
        raise BatchError(
            _("There are no failed notifications to retry. Someone may have just retried them: check the batch.")
        ) from exc
    except sending.SendingError as exc:
        raise BatchError(_("Only a batch that is sending or has been sent can retry.")) from exc


def resolve_unknown(batch_id: int, notification_ids: list[int] | None, action: str) -> int:
    """An admin's decision on notifications whose fate is unknown: ``resend`` or ``mark_sent``."""
    if action not in tuple(UnknownResolution):
        raise BatchError(_("Choose to resend or to mark as sent."))
    try:
        return sending.resolve_unknown(batch_id, notification_ids, action)
    except sending.NothingToDo as exc:
        raise BatchError(
            _("None of these notifications is waiting for a decision any more. Someone may have just decided.")
        ) from exc
    except sending.SendingError as exc:
        raise BatchError(_("Only a batch that is sending or has been sent has notifications to decide on.")) from exc


def create_letter_batch_for_bounced(batch: Batch, creator: StaffUser) -> Batch:
    """Re-mail by letter everyone whose last notice about this incident bounced: one step, then approval."""
    name = _("Letters: bounced from %(name)s", name=batch.name)[:200]
    return create_batch(name, batch.template_version_id, Channel.LETTER, creator, Audience(last_bounced=True))

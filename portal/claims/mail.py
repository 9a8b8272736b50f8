"""Emails about a claim. They carry the reference and what to do next; never payment details, amounts
or anything else a person reading over the claimant's shoulder (or their mail provider) should not learn.
"""

from flask import current_app, render_template
from flask_babel import gettext as _

from portal.constants import MailKind
from portal.extensions import db
from portal.mail import Message, send_message
from portal.updates.mail import in_language_of


def _send(kind: str, person, subject_text, template: str, **context) -> None:
    """Render in the person's language and send; a mail failure never undoes the claim change."""
    if not person.email:
        return
    context = {"person": person, "portal_url": current_app.config["PUBLIC_URL"].rstrip("/"), **context}
    # The register's tag (pt-BR) mapped onto a language we have a catalog for, as every mail does.
    with in_language_of(person):
        message = Message(
            kind=kind,
            to_address=person.email,
            subject=str(subject_text()),
            body_text=render_template(template, **context),
        )
    try:
        send_message(message)
        db.session.commit()
    except Exception:  # the claim is already saved; staff see failed mail in the outbox / SendGrid
        db.session.rollback()
        current_app.logger.exception("claim email %s could not be sent", kind)


def send_claim_submitted(claim, person, incident) -> None:
    _send(
        MailKind.CLAIM_SUBMITTED,
        person,
        lambda: _("We received your claim %(reference)s", reference=claim.reference),
        "claims/mail_submitted.txt",
        claim=claim,
        incident=incident,
    )


def send_info_request(claim, person, incident) -> None:
    _send(
        MailKind.CLAIM_NEEDS_INFO,
        person,
        lambda: _("We need more information about your claim %(reference)s", reference=claim.reference),
        "claims/mail_needs_info.txt",
        claim=claim,
        incident=incident,
    )


def send_decision(claim, person, incident) -> None:
    _send(
        MailKind.CLAIM_DECIDED,
        person,
        lambda: _("A decision on your claim %(reference)s", reference=claim.reference),
        "claims/mail_decided.txt",
        claim=claim,
        incident=incident,
    )

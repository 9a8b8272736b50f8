"""After filing: the claimant's status pages, appeals, answers to legal, withdrawing, and their own proof files."""

import io
import logging

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _

from portal.claims import bp
from portal.claims.aftercare import (
    answer_info_request,
    appeal_claim,
    appeal_window,
    can_answer_info_request,
    can_withdraw,
    withdraw_claim,
)
from portal.claims.drafts import get_claim_settings
from portal.claims.forms import ActionForm, AnswerForm, AppealForm
from portal.claims.money import format_money
from portal.claims.proof_files import read_stored
from portal.claims.service import ClaimError
from portal.claims.status import STATUS_EXPLANATIONS, change_words, status_words
from portal.claims.summary import claim_summary
from portal.claims.uploads import EXTENSIONS
from portal.constants import CLAIM_CLAIMANT_CAN_EDIT, ClaimStatus
from portal.crypto import DecryptionError
from portal.dao.claims import (
    dao_get_claim_document,
    dao_get_claim_for_person,
    dao_get_claims_with_incidents_for_person,
    dao_get_status_history,
)
from portal.dao.incidents import dao_get_incident
from portal.verify.session import contractor_required
from portal.web.request_limits import PROOF_UPLOAD, body_limit

log = logging.getLogger(__name__)


def _own_claim(person, claim_id):
    claim = dao_get_claim_for_person(claim_id, person.id)
    if claim is None:
        abort(404)
    return claim, dao_get_incident(claim.incident_id)


def send_document(claim, document, download_name: str):
    """Decrypted, always an attachment, never sniffed, never cached: the browser must not render what was uploaded."""
    try:
        data = read_stored(document.stored_name)
    except (FileNotFoundError, ValueError):
        abort(404)
    except DecryptionError:
        log.error("proof file %s of claim %s could not be decrypted", document.id, claim.reference)
        abort(404)
    response = send_file(
        io.BytesIO(data),
        mimetype=document.content_type,
        as_attachment=True,
        download_name=download_name,
        max_age=0,
        conditional=False,
        etag=False,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "no-store"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def document_download_name(claim, document) -> str:
    return f"claim-{claim.reference}-{document.id}.{EXTENSIONS.get(document.content_type, 'bin')}"


@bp.route("/")
@contractor_required
def my_claims(person):
    """Claim status: every claim the person has, with its status in plain words."""
    rows = dao_get_claims_with_incidents_for_person(person.id)
    return render_template("claims/my_claims.html", rows=rows, status_words=status_words)


@bp.route("/<int:claim_id>")
@contractor_required
def claim_status(person, claim_id):
    """One claim: status, what happens next, what was claimed, and the history in plain words."""
    claim, incident = _own_claim(person, claim_id)
    if claim.status == ClaimStatus.DRAFT:
        return redirect(url_for("claims.continue_draft", claim_id=claim.id))
    settings = get_claim_settings(incident.id)
    return render_template(
        "claims/status.html",
        claim=claim,
        incident=incident,
        summary=claim_summary(claim, settings),
        history=dao_get_status_history(claim.id),
        status_words=status_words,
        change_words=change_words,
        explanation=STATUS_EXPLANATIONS.get(claim.status, ""),
        appeal=appeal_window(claim),
        can_answer=can_answer_info_request(claim),
        can_withdraw=can_withdraw(claim),
        again=bool(request.args.get("again")),
        money=lambda cents: format_money(cents, settings.currency),
    )


@bp.route("/<int:claim_id>/sent")
@contractor_required
def claim_sent(person, claim_id):
    """The confirmation panel with the claim reference."""
    claim, incident = _own_claim(person, claim_id)
    if claim.status == ClaimStatus.DRAFT:
        return redirect(url_for("claims.continue_draft", claim_id=claim.id))
    return render_template("claims/sent.html", claim=claim, incident=incident, person=person)


@bp.route("/<int:claim_id>/appeal", methods=["GET", "POST"])
@contractor_required
def appeal(person, claim_id):
    """Appeal a denial, within the incident's appeal window: a statement, then back to review."""
    claim, incident = _own_claim(person, claim_id)
    window = appeal_window(claim)
    form = AppealForm()
    if window.open and form.validate_on_submit():
        try:
            appeal_claim(claim, person, form.statement.data)
        except ClaimError as error:
            form.statement.errors.append(error.problems["statement"])
        else:
            flash(_("Your appeal was sent. We will review your claim again."), "success")
            return redirect(url_for("claims.claim_status", claim_id=claim.id))
    status = 400 if form.errors else (200 if window.open else 403)
    return render_template("claims/appeal.html", claim=claim, incident=incident, form=form, window=window), status


@bp.route("/<int:claim_id>/answer", methods=["GET", "POST"])
@body_limit(PROOF_UPLOAD)
@contractor_required
def answer(person, claim_id):
    """Answer legal's request for more information, with more proof if needed, before the cure deadline."""
    claim, incident = _own_claim(person, claim_id)
    allowed = can_answer_info_request(claim)
    form = AnswerForm()
    if allowed and form.validate_on_submit():
        try:
            answer_info_request(claim, person, get_claim_settings(incident.id), form.answer.data, form.documents.data)
        except ClaimError as error:
            for name, message in error.problems.items():
                form[name].errors.append(message)
        else:
            flash(_("Your answer was sent. We will review your claim again."), "success")
            return redirect(url_for("claims.claim_status", claim_id=claim.id))
    status = 400 if form.errors else (200 if allowed else 403)
    return render_template("claims/answer.html", claim=claim, incident=incident, form=form, allowed=allowed), status


@bp.route("/<int:claim_id>/withdraw", methods=["GET", "POST"])
@contractor_required
def withdraw(person, claim_id):
    """Withdraw a claim before it is decided, after a page that says what that means."""
    claim, incident = _own_claim(person, claim_id)
    form = ActionForm()
    allowed = can_withdraw(claim)
    if allowed and form.validate_on_submit():
        try:
            withdraw_claim(claim, person)
        except ClaimError:  # decided meanwhile
            allowed = False
        else:
            flash(_("Your claim %(reference)s was withdrawn.", reference=claim.reference), "success")
            return redirect(url_for("claims.claim_status", claim_id=claim.id))
    return render_template(
        "claims/withdraw.html", claim=claim, incident=incident, form=form, allowed=allowed
    ), 200 if allowed else 403


@bp.route("/<int:claim_id>/documents/<int:document_id>")
@contractor_required
def own_document(person, claim_id, document_id):
    """The claimant's own proof file, while the claim can still be changed; otherwise nobody's business here."""
    claim, _incident = _own_claim(person, claim_id)
    document = dao_get_claim_document(claim.id, document_id)
    if document is None or claim.status not in CLAIM_CLAIMANT_CAN_EDIT:
        abort(404)
    return send_document(claim, document, document_download_name(claim, document))

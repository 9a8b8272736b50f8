"""Legal's review queue and decisions. Admins may read the queue and a claim; only legal decides,
sees payment details and opens proof files."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from portal.audit.chain import current_actor
from portal.claims import staff_bp as bp
from portal.claims.money import format_money
from portal.claims.payment import PAYMENT_METHOD_LABELS
from portal.claims.review import (
    ReviewError,
    appeal_blocks,
    approve_claim,
    claim_queue,
    deny_claim,
    find_claim_by_reference,
    mark_paid,
    open_claim,
    record_document_download,
    request_information,
    reveal_payment_details,
)
from portal.claims.review_forms import DecisionForm, DenyForm, FlaggedApprovalForm, InfoRequestForm, QueueFilterForm
from portal.claims.routes.contractor_status import document_download_name, send_document
from portal.claims.status import staff_status_words
from portal.constants import (
    CLAIM_APPROVABLE,
    CLAIM_DENIABLE,
    CLAIM_FILED,
    CLAIM_INFO_REQUESTABLE,
    CLAIM_OPEN_FOR_REVIEW,
    CLAIM_PAYABLE,
    ROLES_DECIDING_CLAIMS,
    ROLES_READING_CLAIMS,
    FraudSignalKind,
)
from portal.dao.claims import (
    dao_get_claim,
    dao_get_claim_document,
    dao_get_fraud_signals,
)
from portal.dao.incidents import dao_get_all_incidents
from portal.dao.people import dao_get_person
from portal.staff.auth import role_required
from portal.web.paging import check_page_exists, page_number

SIGNAL_LABELS = {
    FraudSignalKind.SHARED_PAYOUT_ACCOUNT: _l("Same payout account"),
    FraudSignalKind.MANY_CLAIMS_FROM_IP: _l("Many claims from one IP"),
    FraudSignalKind.NEAR_DUPLICATE_IDENTITY: _l("Near-duplicate name or address"),
    FraudSignalKind.REUSED_PROOF_FILE: _l("Proof file reused"),
}
OPEN = "open"
ALL = "all"


def _filter_choices(form: QueueFilterForm) -> None:
    form.status.choices = [(OPEN, _("Waiting for review (received or needs information)")), (ALL, _("All"))] + [
        (str(status), str(staff_status_words(status))) for status in CLAIM_FILED
    ]
    form.incident.choices = [("", _("All incidents"))] + [(str(i.id), i.title) for i in dao_get_all_incidents()]
    form.signal.choices = [("", _("Any or none")), ("any", _("At least one signal")), ("none", _("No signals"))] + [
        (str(kind), str(label)) for kind, label in SIGNAL_LABELS.items()
    ]


def _statuses(choice: str):
    if choice == ALL:
        return CLAIM_FILED
    if choice in set(CLAIM_FILED):
        return (choice,)
    return CLAIM_OPEN_FOR_REVIEW


@bp.route("/")
@role_required(*ROLES_READING_CLAIMS)
def claim_queue_page():
    """The review queue, oldest first, filtered by status, incident and fraud signal (or a reference)."""
    form = QueueFilterForm(request.args)
    _filter_choices(form)
    form.validate()
    if form.reference.data:
        claim = find_claim_by_reference(form.reference.data)
        if claim is not None and claim.status in set(CLAIM_FILED):
            return redirect(url_for("claims_staff.claim_view", claim_id=claim.id))
        form.reference.errors = [_("No claim has that reference. Check it and try again.")]
    page = page_number()
    incident_id = int(form.incident.data) if (form.incident.data or "").isdigit() else None
    queue = claim_queue(_statuses(form.status.data or OPEN), incident_id, form.signal.data or None, page)
    check_page_exists(page, queue.pages)
    return render_template(
        "claims/staff/queue.html",
        form=form,
        queue=queue,
        status_words=staff_status_words,
        signal_labels=SIGNAL_LABELS,
        args={k: v for k, v in request.args.items() if k != "page"},
    )


@bp.route("/<int:claim_id>")
@role_required(*ROLES_READING_CLAIMS)
def claim_view(claim_id):
    """One claim: claimant, benefits, proof, payment method (masked), fraud signals, history, decisions."""
    view = open_claim(claim_id)
    if view is None:
        abort(404)
    return render_template(
        "claims/staff/claim.html",
        view=view,
        claim=view.claim,
        status_words=staff_status_words,
        signal_labels=SIGNAL_LABELS,
        payment_labels=PAYMENT_METHOD_LABELS,
        money=lambda cents: format_money(cents, view.currency),
        form=DecisionForm(),
        can=_possible_decisions(view.claim),
        own_appeal=appeal_blocks(view.claim.id, current_actor()),
    )


def _possible_decisions(claim) -> dict[str, bool]:
    return {
        "approve": claim.status in CLAIM_APPROVABLE,
        "deny": claim.status in CLAIM_DENIABLE,
        "request_info": claim.status in CLAIM_INFO_REQUESTABLE,
        "paid": claim.status in CLAIM_PAYABLE,
    }


def _filed_claim_or_404(claim_id):
    claim = dao_get_claim(claim_id)
    if claim is None or claim.status not in set(CLAIM_FILED):
        abort(404)
    return claim


@bp.route("/<int:claim_id>/payment-details")
@role_required(*ROLES_DECIDING_CLAIMS)
def payment_details(claim_id):
    """The decrypted payment details, for paying the claim. Every viewing is in the audit log."""
    claim = _filed_claim_or_404(claim_id)
    revealed = reveal_payment_details(claim, dao_get_person(claim.person_id))
    return render_template(
        "claims/staff/payment_details.html",
        claim=claim,
        revealed=revealed,
        label=PAYMENT_METHOD_LABELS.get(claim.payment_method, ""),
    )


@bp.route("/<int:claim_id>/documents/<int:document_id>")
@role_required(*ROLES_DECIDING_CLAIMS)
def document(claim_id, document_id):
    """A proof file, as an attachment (never shown inline: it came from outside). Audited."""
    claim = _filed_claim_or_404(claim_id)
    found = dao_get_claim_document(claim.id, document_id)
    if found is None:
        abort(404)
    record_document_download(claim, found.id)
    return send_document(claim, found, document_download_name(claim, found))


def _form_page_status(form, allowed: bool) -> int:
    """400 for a form error; 409 for a post the claim's status no longer allows (decided meanwhile)."""
    if form.errors:
        return 400
    return 409 if request.method == "POST" and not allowed else 200


def _decide(claim_id, decision, success_message, *args):
    try:
        decision(claim_id, *args)
    except ReviewError as error:  # someone decided first (a double click, a colleague): say so, change nothing
        return render_template("claims/staff/refused.html", claim_id=claim_id, message=str(error)), 409
    flash(success_message, "success")
    return redirect(url_for("claims_staff.claim_view", claim_id=claim_id))


@bp.route("/<int:claim_id>/approve", methods=["GET", "POST"])
@role_required(*ROLES_DECIDING_CLAIMS)
def approve(claim_id):
    """Approve the claim (the claimant is emailed). A claim with fraud signals first shows them, and
    is approved only with a typed reason (audited with the signals)."""
    claim = _filed_claim_or_404(claim_id)
    signals = dao_get_fraud_signals(claim.id)
    done = _("Claim approved. The claimant has been emailed.")
    if not signals:
        if request.method == "GET":
            return redirect(url_for("claims_staff.claim_view", claim_id=claim_id))
        if not DecisionForm().validate_on_submit():
            abort(400)
        return _decide(claim_id, approve_claim, done)
    form = FlaggedApprovalForm()
    allowed = claim.status in CLAIM_APPROVABLE
    if allowed and form.validate_on_submit():
        return _decide(claim_id, approve_claim, done, form.reason.data)
    return render_template(
        "claims/staff/approve_flagged.html",
        claim=claim,
        form=form,
        signals=signals,
        signal_labels=SIGNAL_LABELS,
        allowed=allowed,
        status_words=staff_status_words,
    ), _form_page_status(form, allowed)


@bp.route("/<int:claim_id>/paid", methods=["POST"])
@role_required(*ROLES_DECIDING_CLAIMS)
def paid(claim_id):
    """Record that the payment (or the monitoring) has been sent."""
    _filed_claim_or_404(claim_id)
    if not DecisionForm().validate_on_submit():
        abort(400)
    return _decide(claim_id, mark_paid, _("Claim marked as paid."))


@bp.route("/<int:claim_id>/deny", methods=["GET", "POST"])
@role_required(*ROLES_DECIDING_CLAIMS)
def deny(claim_id):
    """Deny the claim, with the reason the claimant will read (and may appeal within the window)."""
    claim = _filed_claim_or_404(claim_id)
    form = DenyForm()
    if claim.status in CLAIM_DENIABLE and form.validate_on_submit():
        return _decide(
            claim_id, deny_claim, _("Claim denied. The claimant has been emailed the reason."), form.reason.data
        )
    status = _form_page_status(form, claim.status in CLAIM_DENIABLE)
    return render_template(
        "claims/staff/deny.html",
        claim=claim,
        form=form,
        allowed=claim.status in CLAIM_DENIABLE,
        status_words=staff_status_words,
    ), status


@bp.route("/<int:claim_id>/request-information", methods=["GET", "POST"])
@role_required(*ROLES_DECIDING_CLAIMS)
def request_info(claim_id):
    """Ask for more information: the deficiency notice is emailed with the cure deadline."""
    claim = _filed_claim_or_404(claim_id)
    form = InfoRequestForm()
    allowed = claim.status in CLAIM_INFO_REQUESTABLE
    if allowed and form.validate_on_submit():
        return _decide(
            claim_id, request_information, _("Request sent. The claimant has been emailed."), form.request_text.data
        )
    status = _form_page_status(form, allowed)
    return render_template(
        "claims/staff/request_info.html", claim=claim, form=form, allowed=allowed, status_words=staff_status_words
    ), status

"""Filing a claim, one topic per page, then "check your answers". Each step saves the draft.

Every route loads the claim through the signed-in person (``dao_get_claim_for_person``), so another
person's claim id is a 404, never a 403 that would confirm it exists.
"""

from dataclasses import dataclass
from functools import wraps

from flask import abort, redirect, render_template, request, url_for

from portal.claims import bp
from portal.claims.drafts import (
    STEP_BENEFITS,
    STEP_CHECK,
    STEP_LOSSES,
    STEP_LOST_TIME,
    STEP_PAYMENT,
    STEP_PAYMENT_DETAILS,
    claim_deadline_passed,
    claims_today,
    draft_losses,
    enabled_benefits,
    get_claim_settings,
    load_draft,
    next_step,
)
from portal.claims.forms import (
    DETAILS_FORMS,
    ActionForm,
    BenefitsForm,
    DeclarationForm,
    LossForm,
    LostTimeForm,
    PaymentMethodForm,
)
from portal.claims.money import format_money
from portal.claims.payment import (
    PAYMENT_FIELDS,
    PAYMENT_METHOD_HINTS,
    PAYMENT_METHOD_LABELS,
    clean_details,
    offered_methods,
)
from portal.claims.service import (
    ClaimAlreadySent,
    ClaimClosed,
    ClaimError,
    add_loss,
    ensure_editable_draft,
    is_excluded,
    remove_loss,
    remove_lost_time_document,
    set_benefits,
    set_lost_time,
    set_payment_details,
    set_payment_method,
    start_claim,
)
from portal.claims.submission import draft_problems, submit_claim
from portal.claims.summary import claim_summary
from portal.constants import ClaimStatus
from portal.dao.claims import (
    dao_get_claim_by_person_and_incident,
    dao_get_claim_documents,
    dao_get_claim_for_person,
)
from portal.dao.exposures import dao_person_has_exposure
from portal.dao.incidents import dao_get_incident
from portal.models import Claim, ClaimSettings, Incident, Person
from portal.verify.session import contractor_required
from portal.web.request_limits import PROOF_UPLOAD, body_limit

STEP_ENDPOINTS = {
    STEP_BENEFITS: "claims.benefits",
    STEP_LOSSES: "claims.losses",
    STEP_LOST_TIME: "claims.lost_time",
    STEP_PAYMENT: "claims.payment_method",
    STEP_PAYMENT_DETAILS: "claims.payment_details",
    STEP_CHECK: "claims.check_answers",
}


@dataclass
class Filing:
    person: Person
    claim: Claim
    incident: Incident
    settings: ClaimSettings


def show_problems(form, error: ClaimError) -> None:
    """Put the service's objections beside the fields they are about (and so into the error summary)."""
    for name, message in error.problems.items():
        form[name].errors.append(message)


def closed_page(incident: Incident, reason: str):
    return render_template("claims/closed.html", incident=incident, reason=reason), 403


def filing_step(view):
    """Load the person's own draft and its incident; refuse after the deadline; a sent claim shows its status."""

    @contractor_required
    @wraps(view)
    def wrapper(person, claim_id, *args, **kwargs):
        claim = dao_get_claim_for_person(claim_id, person.id)
        if claim is None:
            abort(404)
        if claim.status != ClaimStatus.DRAFT:
            return redirect(url_for("claims.claim_status", claim_id=claim.id))
        incident = dao_get_incident(claim.incident_id)
        try:
            ensure_editable_draft(claim, incident)
        except ClaimClosed as closed:
            return closed_page(incident, closed.reason)
        return view(Filing(person, claim, incident, get_claim_settings(incident.id)), *args, **kwargs)

    return wrapper


def go_next(filing: Filing, after: str):
    """The next step; or back to "check your answers" after a change, unless a new question opened up."""
    if request.args.get("change"):
        step = next_step(filing.claim, filing.settings)
    else:
        step = next_step(filing.claim, filing.settings, after=after)
    return redirect(url_for(STEP_ENDPOINTS[step], claim_id=filing.claim.id))


def page(template: str, filing: Filing, form=None, **context):
    status = 400 if form is not None and form.errors else 200
    return render_template(
        template,
        filing=filing,
        claim=filing.claim,
        incident=filing.incident,
        settings=filing.settings,
        form=form,
        money=lambda cents: format_money(cents, filing.settings.currency),
        change=bool(request.args.get("change")),
        **context,
    ), status


@bp.route("/start/<int:incident_id>", methods=["GET", "POST"])
@contractor_required
def start(person, incident_id):
    """What can be claimed and what you need; the button creates the draft (or finds the existing claim)."""
    incident = dao_get_incident(incident_id)
    if incident is None or not incident.published:
        abort(404)
    existing = dao_get_claim_by_person_and_incident(person.id, incident.id)
    if existing is not None and existing.status != ClaimStatus.DRAFT:
        return redirect(url_for("claims.claim_status", claim_id=existing.id, again=1))
    form = ActionForm()
    if form.validate_on_submit():
        try:
            claim, _created = start_claim(person, incident)
        except ClaimClosed as closed:
            return closed_page(incident, closed.reason)
        settings = get_claim_settings(incident.id)
        return redirect(url_for(STEP_ENDPOINTS[next_step(claim, settings)], claim_id=claim.id))
    settings = get_claim_settings(incident.id)
    if not dao_person_has_exposure(person.id, incident.id):
        return closed_page(incident, "not_eligible")
    if existing is None and claim_deadline_passed(incident):
        return closed_page(incident, "deadline")
    if is_excluded(person.id, incident.id):
        return closed_page(incident, "excluded")
    return render_template(
        "claims/start.html",
        incident=incident,
        settings=settings,
        form=form,
        draft=existing,
        benefits=enabled_benefits(settings),
        money=lambda cents: format_money(cents, settings.currency),
    )


@bp.route("/<int:claim_id>/continue")
@filing_step
def continue_draft(filing: Filing):
    """Back to the first question not yet answered (after signing in again, say)."""
    return redirect(url_for(STEP_ENDPOINTS[next_step(filing.claim, filing.settings)], claim_id=filing.claim.id))


@bp.route("/<int:claim_id>/benefits", methods=["GET", "POST"])
@filing_step
def benefits(filing: Filing):
    """Which benefits the person claims (the settlement's combination rule is checked by the service)."""
    offered = enabled_benefits(filing.settings)
    form = BenefitsForm()
    form.benefits.choices = [(str(kind), str(kind)) for kind in offered]
    if request.method == "GET":
        form.benefits.data = load_draft(filing.claim).get("benefits", [])
    if form.validate_on_submit():
        try:
            set_benefits(filing.claim, filing.settings, form.benefits.data or [])
        except ClaimError as error:
            show_problems(form, error)
        else:
            return go_next(filing, STEP_BENEFITS)
    return page("claims/benefits.html", filing, form, offered=offered)


@bp.route("/<int:claim_id>/losses", methods=["GET", "POST"])
@filing_step
def losses(filing: Filing):
    """The losses added so far, with "Add another loss"; Continue needs at least one."""
    lines = draft_losses(load_draft(filing.claim))
    if not lines:
        return redirect(url_for("claims.add_loss_page", claim_id=filing.claim.id, change=request.args.get("change")))
    form = ActionForm()
    if form.validate_on_submit():
        return go_next(filing, STEP_LOSSES)
    total = sum(line.amount_cents for line in lines)
    return page(
        "claims/losses.html",
        filing,
        form,
        lines=lines,
        total=total,
        remove_form=ActionForm(),
        room=filing.settings.out_of_pocket_cap_cents - total,
    )


@bp.route("/<int:claim_id>/losses/add", methods=["GET", "POST"])
@body_limit(PROOF_UPLOAD)
@filing_step
def add_loss_page(filing: Filing):
    """One loss: amount, date, what it was, and the proof (a receipt, a bank statement)."""
    form = LossForm()
    if form.validate_on_submit():
        try:
            add_loss(
                filing.claim,
                filing.settings,
                filing.incident,
                form.amount_cents,
                form.incurred_on.data,
                form.description.data,
                form.proof.data,
            )
        except ClaimError as error:
            show_problems(form, error)
        else:
            return redirect(url_for("claims.losses", claim_id=filing.claim.id, change=request.args.get("change")))
    return page("claims/add_loss.html", filing, form, today=claims_today())


@bp.route("/<int:claim_id>/losses/<key>/remove", methods=["POST"])
@filing_step
def remove_loss_action(filing: Filing, key):
    """Remove one loss and its proof files."""
    if ActionForm().validate_on_submit():
        remove_loss(filing.claim, key)
    return redirect(url_for("claims.losses", claim_id=filing.claim.id))


@bp.route("/<int:claim_id>/lost-time", methods=["GET", "POST"])
@body_limit(PROOF_UPLOAD)
@filing_step
def lost_time(filing: Filing):
    """Hours spent dealing with the breach: self-attested up to a cap, more only with documents."""
    saved = load_draft(filing.claim).get("lost_time", {})
    form = LostTimeForm(
        data={"hours": saved.get("hours", ""), "description": saved.get("description", "")}
        if request.method == "GET"
        else None
    )
    if form.validate_on_submit():
        try:
            set_lost_time(filing.claim, filing.settings, form.hours_value, form.description.data, form.documents.data)
        except ClaimError as error:
            show_problems(form, error)
        else:
            return go_next(filing, STEP_LOST_TIME)
    kept = set(load_draft(filing.claim).get("lost_time", {}).get("document_ids", []))
    documents = [d for d in dao_get_claim_documents(filing.claim.id) if d.id in kept]
    return page("claims/lost_time.html", filing, form, documents=documents, remove_form=ActionForm())


@bp.route("/<int:claim_id>/lost-time/documents/<int:document_id>/remove", methods=["POST"])
@filing_step
def remove_lost_time_document_action(filing: Filing, document_id):
    """Remove one document from the lost-time answer."""
    if ActionForm().validate_on_submit():
        remove_lost_time_document(filing.claim, document_id)
    return redirect(url_for("claims.lost_time", claim_id=filing.claim.id))


@bp.route("/<int:claim_id>/payment", methods=["GET", "POST"])
@filing_step
def payment_method(filing: Filing):
    """How the person wants to be paid, from the incident's configured list."""
    methods = offered_methods(filing.settings)
    form = PaymentMethodForm(data={"method": filing.claim.payment_method or None} if request.method == "GET" else None)
    form.method.choices = [(str(method), str(PAYMENT_METHOD_LABELS[method])) for method in methods]
    if form.validate_on_submit():
        try:
            set_payment_method(filing.claim, filing.settings, form.method.data)
        except ClaimError as error:
            show_problems(form, error)
        else:
            return go_next(filing, STEP_PAYMENT)
    return page(
        "claims/payment_method.html",
        filing,
        form,
        methods=methods,
        labels=PAYMENT_METHOD_LABELS,
        hints=PAYMENT_METHOD_HINTS,
    )


@bp.route("/<int:claim_id>/payment-details", methods=["GET", "POST"])
@filing_step
def payment_details(filing: Filing):
    """The details the chosen method needs. Never pre-filled: saved details are shown masked, not sent back."""
    method = filing.claim.payment_method
    if not PAYMENT_FIELDS.get(method):
        return redirect(url_for("claims.payment_method", claim_id=filing.claim.id))
    form = DETAILS_FORMS[method]()
    if form.validate_on_submit():
        set_payment_details(filing.claim, clean_details(method, form.data))
        return go_next(filing, STEP_PAYMENT_DETAILS)
    summary = claim_summary(filing.claim, filing.settings)
    return page(
        "claims/payment_details.html",
        filing,
        form,
        method=method,
        label=PAYMENT_METHOD_LABELS[method],
        fields=PAYMENT_FIELDS[method],
        saved_mask=summary.payment_masked,
    )


@bp.route("/<int:claim_id>/check", methods=["GET", "POST"])
@filing_step
def check_answers(filing: Filing):
    """Check your answers, then the declaration (typed full name and a checkbox) and Submit."""
    form = DeclarationForm()
    if form.validate_on_submit():
        try:
            submit_claim(
                filing.claim,
                filing.person,
                filing.incident,
                filing.settings,
                form.full_name.data,
                request.remote_addr or "",
            )
        except ClaimError as error:
            show_problems(form, error)
        except ClaimAlreadySent:  # its twin request got there first: show the claim, saying so
            return redirect(url_for("claims.claim_status", claim_id=filing.claim.id, again=1), 303)
        else:
            return redirect(url_for("claims.claim_sent", claim_id=filing.claim.id))
    problems = draft_problems(filing.claim, filing.settings)
    return page(
        "claims/check.html",
        filing,
        form,
        summary=claim_summary(filing.claim, filing.settings),
        problems=problems,
        step_endpoints=STEP_ENDPOINTS,
    )

"""The contractor asks to be excluded: form → check your answers → confirmation; withdraw before the deadline."""

from flask import abort, flash, redirect, render_template, request, session, url_for
from flask_babel import format_date
from flask_babel import gettext as _

from portal.claims.aftercare import can_withdraw
from portal.core.time import utctoday
from portal.exclusion import bp
from portal.exclusion.forms import ConfirmForm, ExclusionForm
from portal.exclusion.service import (
    ExclusionAnswers,
    ExclusionBlocked,
    ExclusionClosed,
    current_request,
    incident_for,
    incidents_for,
    is_open,
    request_exclusion,
    standing_claim,
    withdraw_exclusion,
)
from portal.verify.session import contractor_required

DRAFT_KEY = "exclusion_draft"


@bp.after_request
def no_store(response):
    response.headers["Cache-Control"] = "no-store"
    return response


def _incident_or_404(person, slug):
    incident = incident_for(person, slug)
    if incident is None:
        abort(404)
    return incident


def _draft(slug: str) -> ExclusionAnswers | None:
    drafts = session.get(DRAFT_KEY) or {}
    return ExclusionAnswers.from_session(drafts.get(slug))


def _save_draft(slug: str, answers: ExclusionAnswers | None) -> None:
    drafts = dict(session.get(DRAFT_KEY) or {})
    if answers is None:
        drafts.pop(slug, None)
    else:
        drafts[slug] = answers.to_session()
    session[DRAFT_KEY] = drafts


def _claimed_page(incident, claim):
    """A sent claim stands: no exclusion form, but the way out (withdrawing it, while it can be)."""
    return render_template("exclusion/claimed.html", incident=incident, claim=claim, can_withdraw=can_withdraw(claim))


@bp.route("/my/exclusion")
@contractor_required
def choose_incident(person):
    """One incident: straight to it. Several: the person picks."""
    incidents = incidents_for(person)
    if len(incidents) == 1:
        return redirect(url_for("exclusion.exclusion", slug=incidents[0].slug))
    return render_template("exclusion/choose.html", incidents=incidents)


@bp.route("/my/exclusion/<slug>", methods=["GET", "POST"])
@contractor_required
def exclusion(person, slug):
    """What excluding yourself means, then the form (or the standing request, with a way to withdraw it)."""
    incident = _incident_or_404(person, slug)
    standing = current_request(person, incident)
    if standing is not None:
        return render_template(
            "exclusion/status.html", incident=incident, standing=standing, open=is_open(incident), form=ConfirmForm()
        )
    if not is_open(incident):
        return render_template("exclusion/closed.html", incident=incident)
    if (claim := standing_claim(person, incident)) is not None:
        return _claimed_page(incident, claim)
    form = ExclusionForm()
    if request.method == "GET" and (draft := _draft(slug)):
        form.reason.data, form.typed_name.data = draft.reason, draft.typed_name
    if form.validate_on_submit():
        _save_draft(slug, ExclusionAnswers(form.reason.data or "", form.typed_name.data))
        return redirect(url_for("exclusion.check_answers", slug=slug))
    return render_template("exclusion/form.html", incident=incident, form=form, person=person)


@bp.route("/my/exclusion/<slug>/check", methods=["GET", "POST"])
@contractor_required
def check_answers(person, slug):
    """Check your answers; submitting is the signature."""
    incident = _incident_or_404(person, slug)
    answers = _draft(slug)
    if answers is None:
        return redirect(url_for("exclusion.exclusion", slug=slug))
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            request_exclusion(person, incident, answers, request.remote_addr or "")
        except ExclusionClosed:
            return render_template("exclusion/closed.html", incident=incident)
        except ExclusionBlocked:  # the claim was sent from another tab meanwhile
            return _claimed_page(incident, standing_claim(person, incident))
        _save_draft(slug, None)
        flash(
            _(
                "You have asked to be excluded. You can withdraw your request until %(date)s.",
                date=format_date(incident.claim_deadline, "long"),
            )
            if incident.claim_deadline
            else _("You have asked to be excluded."),
            "success",
        )
        return redirect(url_for("exclusion.exclusion", slug=slug))
    return render_template("exclusion/check.html", incident=incident, answers=answers, form=form, today=utctoday())


@bp.route("/my/exclusion/<slug>/withdraw", methods=["POST"])
@contractor_required
def withdraw(person, slug):
    incident = _incident_or_404(person, slug)
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        withdrawn = withdraw_exclusion(person, incident)
    except ExclusionClosed:
        return render_template("exclusion/closed.html", incident=incident)
    if withdrawn:
        flash(_("Your request to be excluded has been withdrawn. You remain part of the settlement."), "success")
    return redirect(url_for("exclusion.exclusion", slug=slug))

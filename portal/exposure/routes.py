from flask import abort, redirect, render_template, session, url_for

from portal.exposure import bp
from portal.exposure.checklist import StepNotOnChecklist, card_anchor, save_checklist
from portal.exposure.forms import ChecklistForm
from portal.exposure.service import exposure_overview
from portal.verify.session import contractor_required

SAVED_KEY = "checklist_saved"  # the card whose checklist was just saved, shown as such once


@bp.after_request
def no_store(response):
    """The person's own record: no browser or proxy cache may keep a copy."""
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/my")
@contractor_required
def my_exposure(person):
    """The verified person's own page: one card per exposed category, most severe first, with its checklist."""
    saved = session.pop(SAVED_KEY, None)
    return render_template("exposure/my.html", person=person, overview=exposure_overview(person), saved=saved)


@bp.route("/my/steps/<int:incident_id>/<category>", methods=["POST"])
@contractor_required
def save_steps(person, incident_id, category):
    """Save one card's ticked steps; back to that card, which says it was saved (works without JavaScript)."""
    form = ChecklistForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        save_checklist(person, incident_id, category, set(form.done.data or ()), set(form.was_done.data or ()))
    except StepNotOnChecklist:
        abort(404)
    anchor = card_anchor(incident_id, category)
    session[SAVED_KEY] = anchor
    return redirect(url_for("exposure.my_exposure", _anchor=anchor))

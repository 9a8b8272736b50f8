from flask import abort, redirect, render_template, url_for

from portal.exposure import bp
from portal.exposure.checklist import StepNotOnChecklist, set_step_done, step_anchor
from portal.exposure.forms import StepForm
from portal.exposure.service import exposure_overview
from portal.verify.session import contractor_required


@bp.after_request
def no_store(response):
    """The person's own record: no browser or proxy cache may keep a copy."""
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/my")
@contractor_required
def my_exposure(person):
    """The verified person's own page: one card per exposed category, most severe first, with its checklist."""
    return render_template("exposure/my.html", person=person, overview=exposure_overview(person), step_form=StepForm())


@bp.route("/my/steps/<int:incident_id>/<category>/<step_id>", methods=["POST"])
@contractor_required
def mark_step(person, incident_id, category, step_id):
    """Mark a checklist step done, or undo it; back to the same step on the page (works without JavaScript)."""
    form = StepForm()
    if not form.validate_on_submit() or form.done.data not in ("0", "1"):
        abort(400)
    try:
        set_step_done(person, incident_id, category, step_id, form.done.data == "1")
    except StepNotOnChecklist:
        abort(404)
    return redirect(url_for("exposure.my_exposure", _anchor=step_anchor(incident_id, category, step_id)))

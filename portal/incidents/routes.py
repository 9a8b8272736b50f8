from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from portal.constants import ROLES_MANAGING_INCIDENTS
from portal.incidents import bp
from portal.incidents.forms import IncidentForm, NewIncidentForm
from portal.incidents.service import IncidentError, create_incident, get_incident, list_incidents, update_incident
from portal.staff.auth import role_required


def _show_problems(form, error: IncidentError) -> None:
    """Put the service's objections beside the fields they are about (and so into the error summary)."""
    for name, message in error.problems.items():
        form[name].errors.append(message)


@bp.route("/")
@role_required(*ROLES_MANAGING_INCIDENTS)
def incident_list():
    """Every incident, published or not."""
    return render_template("incidents/list.html", incidents=list_incidents())


@bp.route("/new", methods=["GET", "POST"])
@role_required(*ROLES_MANAGING_INCIDENTS)
def incident_new():
    """Create an incident."""
    form = NewIncidentForm(published=True)
    if form.validate_on_submit():
        try:
            incident = create_incident(form.slug.data, form.incident_values())
        except IncidentError as error:
            _show_problems(form, error)
        else:
            flash(_("Incident %(slug)s created.", slug=incident.slug), "success")
            return redirect(url_for("incidents.incident_list"))
    status = 400 if form.errors else 200
    return render_template("incidents/form.html", form=form, incident=None), status


@bp.route("/<int:incident_id>/edit", methods=["GET", "POST"])
@role_required(*ROLES_MANAGING_INCIDENTS)
def incident_edit(incident_id):
    """Edit an incident's public text, dates, contact details and whether it is published."""
    incident = get_incident(incident_id)
    if incident is None:
        abort(404)
    form = IncidentForm(obj=incident)
    if form.validate_on_submit():
        try:
            changed = update_incident(incident, form.incident_values())
        except IncidentError as error:
            _show_problems(form, error)
        else:
            flash(_("Incident saved.") if changed else _("Nothing was changed."), "success")
            return redirect(url_for("incidents.incident_list"))
    status = 400 if form.errors else 200
    return render_template("incidents/form.html", form=form, incident=incident), status

"""The incident team's page for each incident's claim settings."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from portal.claims import staff_bp as bp
from portal.claims.drafts import get_claim_settings
from portal.claims.settings import settings_form, update_claim_settings
from portal.constants import ROLES_CONFIGURING_CLAIMS
from portal.dao.incidents import dao_get_all_incidents, dao_get_incident
from portal.staff.auth import role_required


@bp.route("/settings")
@role_required(*ROLES_CONFIGURING_CLAIMS)
def settings_list():
    """Every incident, each with a link to its claim settings."""
    return render_template("claims/staff/settings_list.html", incidents=dao_get_all_incidents())


@bp.route("/settings/<int:incident_id>", methods=["GET", "POST"])
@role_required(*ROLES_CONFIGURING_CLAIMS)
def settings_edit(incident_id):
    """What the incident's claims offer: benefits, caps, rate, payment methods, windows and file sizes."""
    incident = dao_get_incident(incident_id)
    if incident is None:
        abort(404)
    settings = get_claim_settings(incident.id)
    form = settings_form(settings, request.form if request.method == "POST" else None)
    if request.method == "POST" and form.validate():
        changed = update_claim_settings(settings, form)
        flash(_("Claim settings saved.") if changed else _("Nothing was changed."), "success")
        return redirect(url_for("claims_staff.settings_edit", incident_id=incident.id))
    return render_template("claims/staff/settings.html", incident=incident, form=form), 400 if form.errors else 200

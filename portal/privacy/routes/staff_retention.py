"""The retention schedule for admins and legal, and legal's holds."""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.constants import ROLES_READING_RETENTION, ROLES_SETTING_LEGAL_HOLDS
from portal.core.time import utctoday
from portal.dao.incidents import dao_get_all_incidents
from portal.dao.retention import dao_holds
from portal.privacy import bp
from portal.privacy.forms import LegalHoldForm
from portal.privacy.holds import lift_hold, set_hold
from portal.privacy.schedule import schedule_for
from portal.staff.auth import role_required


@bp.route("/staff/privacy/retention")
@role_required(*ROLES_READING_RETENTION)
def retention_page():
    today = utctoday()
    incidents = [(incident, schedule_for(incident, today)) for incident in dao_get_all_incidents()]
    return render_template(
        "privacy/retention.html",
        incidents=incidents,
        holds=dao_holds(),
        today=today,
        form=LegalHoldForm(),
        may_hold=current_user.role in ROLES_SETTING_LEGAL_HOLDS,
    )


@bp.route("/staff/privacy/retention/<int:incident_id>/hold", methods=["POST"])
@role_required(*ROLES_SETTING_LEGAL_HOLDS)
def set_legal_hold(incident_id):
    form = LegalHoldForm()
    if not form.validate_on_submit() or not form.reason.data:
        flash(_("Say why the data must be kept, then set the hold."), "error")
        return redirect(url_for("privacy.retention_page"))
    if incident_id not in {incident.id for incident in dao_get_all_incidents()}:
        abort(404)
    if set_hold(incident_id, current_user.id, form.reason.data):
        flash(_("Legal hold set: nothing of this incident will be purged until it is lifted."), "success")
    else:
        flash(_("This incident is already under a legal hold."), "info")
    return redirect(url_for("privacy.retention_page"))


@bp.route("/staff/privacy/retention/<int:incident_id>/lift", methods=["POST"])
@role_required(*ROLES_SETTING_LEGAL_HOLDS)
def lift_legal_hold(incident_id):
    if not LegalHoldForm().validate_on_submit():
        abort(400)
    if lift_hold(incident_id):
        flash(_("Legal hold lifted. The retention schedule applies again."), "success")
    return redirect(url_for("privacy.retention_page"))

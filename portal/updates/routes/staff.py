"""The incident team posts updates: write, check (rendered, and who will be emailed), publish."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from portal.constants import ROLES_POSTING_UPDATES
from portal.core.rendering import render_markdown
from portal.dao.incidents import dao_get_all_incidents, dao_get_incident
from portal.dao.updates import (
    dao_count_active_subscribers,
    dao_get_incident_updates,
)
from portal.staff.auth import role_required
from portal.updates import bp
from portal.updates.forms import IncidentUpdateForm
from portal.updates.service import publish_incident_update


@bp.route("/staff/updates/")
@role_required(*ROLES_POSTING_UPDATES)
def admin_updates():
    """Every incident with its subscriber count and the updates posted so far."""
    incidents = dao_get_all_incidents()
    subscribers = dao_count_active_subscribers([incident.id for incident in incidents])
    entries = [
        (incident, subscribers.get(incident.id, 0), dao_get_incident_updates(incident.id)) for incident in incidents
    ]
    return render_template("updates/admin_list.html", entries=entries)


@bp.route("/staff/updates/new", methods=["GET", "POST"])
@role_required(*ROLES_POSTING_UPDATES)
def admin_update_new():
    """Write an update; a valid form shows the check page, whose button publishes and emails it."""
    # title and body may arrive filled in: a warning drafted from the suspicious-message reports.
    form = IncidentUpdateForm(
        incident_id=request.args.get("incident_id", type=int),
        title=request.args.get("title", "")[:200],
        body=request.args.get("body", "")[:2000],
    )
    form.incident_id.choices = [(incident.id, incident.title) for incident in dao_get_all_incidents()]
    if form.validate_on_submit():
        incident = dao_get_incident(form.incident_id.data)
        if request.form.get("action") == "publish":
            emailed = publish_incident_update(incident, form.title.data, form.body.data, current_user.id)
            if emailed is None:
                flash(_("This update was already published a moment ago; it was not sent again."), "info")
            else:
                flash(
                    ngettext(
                        "Update published. Emailed to %(num)d subscriber.",
                        "Update published. Emailed to %(num)d subscribers.",
                        emailed,
                    ),
                    "success",
                )
            return redirect(url_for("updates.admin_updates"))
        if request.form.get("action") != "edit":
            subscribers = dao_count_active_subscribers([incident.id]).get(incident.id, 0)
            return render_template(
                "updates/admin_check.html",
                form=form,
                incident=incident,
                subscribers=subscribers,
                body_html=render_markdown(form.body.data),
            )
    status = 400 if form.errors else 200
    return render_template("updates/admin_form.html", form=form), status

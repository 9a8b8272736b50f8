"""Recording a regulator filing from the regulator report (portal/legal/filings.py)."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from portal.constants import ROLES_RECORDING_FILINGS
from portal.dao.incidents import dao_get_incident
from portal.dao.regulator_filings import dao_get_filing
from portal.legal import bp
from portal.legal.filings import FilingError, filing_target, record_filing, remove_filing
from portal.legal.forms import FilingForm
from portal.staff.auth import role_required


def _chosen():
    """The incident and the obligation named by the query string; 404 for anything unknown."""
    incident = dao_get_incident(request.args.get("incident", type=int) or 0)
    target = filing_target(request.args.get("jurisdiction", ""), request.args.get("who", ""))
    if incident is None or target is None:
        abort(404)
    return incident, target


@bp.route("/regulator/filing", methods=["GET", "POST"])
@role_required(*ROLES_RECORDING_FILINGS)
def filing():
    """Record the filing of one obligation of one incident, or correct the one recorded."""
    incident, target = _chosen()
    code, who = target.jurisdiction.code, target.obligation.who
    existing = dao_get_filing(incident.id, code, who)
    form = FilingForm(obj=existing)
    if form.validate_on_submit():
        try:
            record_filing(
                incident,
                code,
                who,
                form.filed_on.data,
                form.reference.data or "",
                form.note.data or "",
                current_user.id,
            )
        except FilingError as exc:
            form.filed_on.errors.append(str(exc))
        else:
            flash(
                _(
                    "Recorded: %(name)s, sent %(date)s.",
                    name=target.obligation.name,
                    date=form.filed_on.data.isoformat(),
                ),
                "success",
            )
            return redirect(url_for("legal.regulator", incident=incident.id))
    return render_template(
        "legal/filing.html", incident=incident, target=target, form=form, existing=existing, remove_form=FlaskForm()
    )


@bp.route("/regulator/filing/remove", methods=["POST"])
@role_required(*ROLES_RECORDING_FILINGS)
def filing_remove():
    """Remove a filing recorded by mistake: the report counts down to its deadline again."""
    incident, target = _chosen()
    if not FlaskForm().validate_on_submit():
        abort(400)
    if remove_filing(incident, target.jurisdiction.code, target.obligation.who):
        flash(_("Removed the record of the filing to %(name)s.", name=target.obligation.name), "success")
    return redirect(url_for("legal.regulator", incident=incident.id))

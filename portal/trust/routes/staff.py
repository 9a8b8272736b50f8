"""Staff pages: reports of suspicious messages grouped by sender, and the organisation's details."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.audit.chain import record_audit
from portal.constants import ROLES_MANAGING_INCIDENTS, ROLES_POSTING_UPDATES, Role
from portal.extensions import db
from portal.staff.auth import role_required
from portal.trust import bp
from portal.trust.constants import TrustAudit
from portal.trust.forms import ConfirmForm, LogoForm, OrganisationForm
from portal.trust.logo import LOGO_MAX_BYTES, LogoRefused, prepare_logo, remove_logo, save_logo
from portal.trust.organisation import EDITABLE_FIELDS, current_organisation, stored_organisation, values_from_config
from portal.trust.organisation_admin import save_organisation
from portal.trust.reports import CAMPAIGN_REPORTS, RECENT_HOURS, report_groups, report_text, reports_in_group
from portal.web.request_limits import STAFF_UPLOAD, body_limit

ROLES_READING_REPORTS = (Role.ADMIN, Role.SUPPORT)


@bp.route("/staff/suspicious-reports")
@role_required(*ROLES_READING_REPORTS)
def reports_page():
    """Every sender reported, the busiest in the last hours first, so a campaign shows as it starts."""
    return render_template(
        "trust/staff_reports.html",
        groups=report_groups(),
        campaign_reports=CAMPAIGN_REPORTS,
        recent_hours=RECENT_HOURS,
    )


@bp.route("/staff/suspicious-reports/group")
@role_required(*ROLES_READING_REPORTS)
def report_group_page():
    """The reports of one sender, with the pasted texts (audited: they may name the reporter)."""
    kind, key = request.args.get("kind", ""), request.args.get("key", "")
    reports = reports_in_group(kind, key)
    if not reports:
        abort(404)
    record_audit(TrustAudit.SUSPICIOUS_REPORTS_VIEWED, f"report-group:{kind}", {"reports": len(reports)})
    db.session.commit()
    entries = [(report, report_text(report)) for report in reports]
    warning_url = None
    if current_user.role in ROLES_POSTING_UPDATES:
        warning_url = url_for(
            "updates.admin_update_new",
            title=_("Warning: fake messages from %(sender)s", sender=key),
            body=_(
                "We have had reports of messages that pretend to be from us, sent from %(sender)s. "
                "They are not from us. Do not click their links, call them back or answer them. "
                'Check any message on our page "Is this message from us?".',
                sender=key,
            ),
        )
    return render_template(
        "trust/staff_report_group.html", kind=kind, key=key, entries=entries, warning_url=warning_url
    )


@bp.route("/staff/organisation", methods=["GET", "POST"])
@role_required(*ROLES_MANAGING_INCIDENTS)
def organisation_page():
    """Who we are: shown on every public page, the check page and in notices (placeholders)."""
    row = stored_organisation()
    values = {name: getattr(row, name) for name in EDITABLE_FIELDS} if row else values_from_config()
    form = OrganisationForm(data=values)
    if form.validate_on_submit():
        changed = save_organisation({name: getattr(form, name).data or "" for name in EDITABLE_FIELDS})
        flash(_("Saved.") if changed else _("Nothing changed."), "success")
        return redirect(url_for("trust.organisation_page"))
    return _organisation_page(form, row is not None)


def _organisation_page(form, stored, logo_form=None):
    logo_form = logo_form or LogoForm(formdata=None)
    status = 400 if form.errors or logo_form.errors else 200
    return render_template(
        "trust/staff_organisation.html",
        form=form,
        stored=stored,
        org=current_organisation(),
        logo_form=logo_form,
        remove_form=ConfirmForm(),
    ), status


@bp.route("/staff/organisation/logo", methods=["POST"])
@body_limit(STAFF_UPLOAD)
@role_required(*ROLES_MANAGING_INCIDENTS)
def organisation_logo_upload():
    """Replace the logo with a re-encoded copy of the upload (portal/trust/logo.py). Audited."""
    logo_form = LogoForm()
    if logo_form.validate_on_submit():
        try:
            save_logo(prepare_logo(logo_form.logo.data.read(LOGO_MAX_BYTES + 1)))
        except LogoRefused as exc:
            logo_form.logo.errors = [str(exc)]
        else:
            flash(_('Logo saved. It shows in the header of every page and on "Is this message from us?".'), "success")
            return redirect(url_for("trust.organisation_page"))
    row = stored_organisation()
    values = {name: getattr(row, name) for name in EDITABLE_FIELDS} if row else values_from_config()
    return _organisation_page(OrganisationForm(formdata=None, data=values), row is not None, logo_form)


@bp.route("/staff/organisation/logo/remove", methods=["POST"])
@role_required(*ROLES_MANAGING_INCIDENTS)
def organisation_logo_remove():
    if not ConfirmForm().validate_on_submit():
        abort(400)
    flash(_("Logo removed.") if remove_logo() else _("There was no logo to remove."), "success")
    return redirect(url_for("trust.organisation_page"))

"""Staff pages: reports of suspicious messages grouped by sender, and the organisation's details."""

from flask import abort, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.audit import record_audit
from portal.constants import ROLES_POSTING_UPDATES, Role
from portal.extensions import db
from portal.staff.auth import role_required
from portal.trust import bp
from portal.trust.constants import TrustAudit
from portal.trust.reports import CAMPAIGN_REPORTS, RECENT_HOURS, report_groups, report_text, reports_in_group

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

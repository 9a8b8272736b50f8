"""The audit log page and its CSV export (admins and auditors)."""

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from portal.constants import ROLES_READING_AUDIT_LOG, AuditAction
from portal.staff import bp
from portal.staff.audit_view import (
    MAX_EXPORT_ROWS,
    NON_STAFF_ACTORS,
    TARGET_TYPES,
    actor_names,
    audit_filter,
    audit_page,
    export_csv,
    readable_details,
)
from portal.staff.auth import role_required
from portal.staff.forms import AuditExportForm, AuditFilterForm
from portal.web.paging import check_page_exists, page_number


def _choices(form: AuditFilterForm, names: dict[str, str]) -> None:
    staff = sorted(names.items(), key=lambda item: item[1])
    form.actor.choices = [("", _("Anyone")), *staff, *((actor, actor) for actor in NON_STAFF_ACTORS)]
    form.action.choices = [("", _("Any action"))] + [(str(a), str(a)) for a in sorted(AuditAction)]
    form.target_type.choices = [("", _("Anything"))] + [(t, t) for t in TARGET_TYPES]


def _filters(form: AuditFilterForm):
    return audit_filter(
        form.actor.data,
        form.action.data,
        form.target_type.data,
        form.target_id.data,
        form.date_from.data if not form.date_from.errors else None,
        form.date_to.data if not form.date_to.errors else None,
    )


@bp.route("/audit")
@role_required(*ROLES_READING_AUDIT_LOG)
def audit_log():
    """Audit events, newest first, filtered and paged; the chain verified since the last check."""
    names = actor_names()
    form = AuditFilterForm(request.args)
    _choices(form, names)
    form.validate()
    page = page_number()
    result = audit_page(_filters(form), page)
    check_page_exists(page, result.pages)
    return render_template(
        "staff/audit_log.html",
        form=form,
        result=result,
        report=result.report,
        names=names,
        details=readable_details,
        args={k: v for k, v in request.args.items() if k != "page"},
    ), (400 if form.errors else 200)


@bp.route("/audit/export", methods=["POST"])
@role_required(*ROLES_READING_AUDIT_LOG)
def audit_export():
    """The filtered events as CSV; the export is itself an audit event."""
    form = AuditExportForm()
    _choices(form, actor_names())
    if not form.validate():
        flash(_("Check the filter: a date must look like 2026-03-27."), "error")
        return redirect(url_for("staff.audit_log"))
    exported = export_csv(_filters(form))
    if exported is None:
        flash(_("More than %(n)d events match. Narrow the filter and export again.", n=MAX_EXPORT_ROWS), "error")
        return redirect(url_for("staff.audit_log"))
    body, _count = exported
    return Response(
        body,
        mimetype="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="audit-log.csv"', "Cache-Control": "no-store"},
    )

"""The legal workspace (docs/legal.md): exports, exclusions, the notice declaration, the regulator report
(recording its filings: filings.py beside it)."""

import hashlib
from datetime import timedelta

from flask import Response, abort, jsonify, redirect, render_template, request, stream_with_context, url_for
from flask_login import current_user

from portal.audit.chain import record_audit
from portal.constants import (
    ROLES_EXPORTING_CLAIMANTS,
    ROLES_EXPORTING_EXCLUSIONS,
    ROLES_MANAGING_NOTICES,
    ROLES_READING_LEGAL_REPORTS,
    ROLES_RECORDING_FILINGS,
    ROLES_SEEING_FULL_PAYMENT_DETAILS,
    AuditAction,
    ExportKind,
    ExportStatus,
)
from portal.core.time import utcnow
from portal.dao.exclusions import dao_get_recent_exclusions
from portal.dao.export_jobs import dao_get_recent_export_jobs
from portal.dao.incidents import dao_get_all_incidents, dao_get_incident
from portal.extensions import db
from portal.legal import bp
from portal.legal.declaration import ALSO_COUNTED, OUTCOMES, STATUS_GROUPS, build_declaration, declaration_csv
from portal.legal.exports import CLAIMANT_COLUMNS, ExportFilters
from portal.legal.filter_words import describe_filters
from portal.legal.forms import ClaimantExportForm, ExclusionExportForm
from portal.legal.jobs import (
    ExportNotAllowed,
    export_file_name,
    export_manifest,
    get_job_for,
    open_export,
    request_export,
)
from portal.legal.jurisdictions import load_rules
from portal.legal.regulator import regulator_csv, regulator_report
from portal.staff.auth import role_required

STALLED_AFTER = timedelta(hours=6)  # a million-row XLSX takes about half an hour here
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _attachment(name: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{name}"', "X-Content-Type-Options": "nosniff"}


@bp.route("/")
@role_required(*ROLES_READING_LEGAL_REPORTS)
def legal_home():
    """What the legal workspace offers this role."""
    return render_template(
        "legal/home.html",
        incidents=dao_get_all_incidents(),
        can_export=current_user.role in ROLES_EXPORTING_CLAIMANTS,
        can_export_exclusions=current_user.role in ROLES_EXPORTING_EXCLUSIONS,
    )


def _filters_from(form: ClaimantExportForm) -> ExportFilters:
    return ExportFilters(
        incident_id=int(form.incident.data) if form.incident.data else None,
        statuses=tuple(form.statuses.data or ()),
        benefit=form.benefit.data or "",
        country=(form.country.data or "").strip().upper(),
        region=(form.region.data or "").strip().upper(),
        fraud=form.fraud.data or "",
        submitted_from=form.submitted_from.data.isoformat() if form.submitted_from.data else "",
        submitted_to=form.submitted_to.data.isoformat() if form.submitted_to.data else "",
    )


@bp.route("/exports", methods=["GET", "POST"])
@role_required(*ROLES_EXPORTING_CLAIMANTS)
def claimant_export():
    """Choose filters and a format; the file is built in the background and offered for download."""
    form = ClaimantExportForm()
    form.set_incidents(dao_get_all_incidents())
    may_see_payment = current_user.role in ROLES_SEEING_FULL_PAYMENT_DETAILS
    if form.validate_on_submit():
        if form.include_payment_details.data and not may_see_payment:
            abort(403)
        try:
            job = request_export(
                ExportKind.CLAIMANTS,
                form.file_format.data,
                _filters_from(form),
                bool(form.include_payment_details.data),
                current_user,
            )
        except ExportNotAllowed:
            abort(403)
        return redirect(url_for("legal.export_job", job_id=job.id))
    jobs = [job for job in dao_get_recent_export_jobs(50) if job.requested_by_id == current_user.id][:10]
    return render_template(
        "legal/exports.html", form=form, jobs=jobs, may_see_payment=may_see_payment, columns=CLAIMANT_COLUMNS
    )


@bp.route("/exports/<int:job_id>")
@role_required(*ROLES_EXPORTING_CLAIMANTS)
def export_job(job_id):
    """Progress while the file is built (the page refreshes itself, no script needed), then the links."""
    job = get_job_for(current_user, job_id)
    if job is None:
        abort(404)
    running = job.status in (ExportStatus.QUEUED, ExportStatus.RUNNING)
    # A build whose process died (a deploy, a killed worker) never finishes: say so, stop refreshing.
    stalled = running and job.created_at < utcnow() - STALLED_AFTER
    running = running and not stalled
    manifest = export_manifest(job) if job.status == ExportStatus.READY else None
    page = render_template(
        "legal/export_job.html",
        job=job,
        running=running,
        stalled=stalled,
        file_name=export_file_name(job),
        manifest=manifest,
        filter_lines=describe_filters(manifest.get("filters") or {}, job.kind) if manifest else [],
    )
    # The Refresh header reloads the page while the file is built: a progress bar with no script.
    return (page, {"Refresh": "2"}) if running else page


@bp.route("/exports/<int:job_id>/download")
@role_required(*ROLES_EXPORTING_CLAIMANTS)
def export_download(job_id):
    job = get_job_for(current_user, job_id)
    if job is None or job.status != ExportStatus.READY or not job.file_name:
        abort(404)
    try:
        chunks = open_export(job)
    except FileNotFoundError:
        abort(404)
    return Response(
        stream_with_context(chunks),
        mimetype=MEDIA_TYPES[job.file_format],
        headers=_attachment(export_file_name(job)) | {"Content-Length": str(job.file_bytes)},
    )


@bp.route("/exports/<int:job_id>/manifest.json")
@role_required(*ROLES_EXPORTING_CLAIMANTS)
def export_manifest_download(job_id):
    job = get_job_for(current_user, job_id)
    manifest = export_manifest(job) if job is not None and job.status == ExportStatus.READY else None
    if manifest is None:
        abort(404)
    response = jsonify(manifest)
    response.headers.update(_attachment(f"{export_file_name(job)}.manifest.json"))
    return response


@bp.route("/exclusions", methods=["GET", "POST"])
@role_required(*ROLES_EXPORTING_EXCLUSIONS)
def exclusions():
    """Contractors who asked to be excluded, and the list for counsel."""
    form = ExclusionExportForm()
    incidents = dao_get_all_incidents()
    form.set_incidents(incidents)
    if form.validate_on_submit():
        filters = ExportFilters(
            incident_id=int(form.incident.data) if form.incident.data else None,
            include_withdrawn=bool(form.include_withdrawn.data),
        )
        try:
            job = request_export(ExportKind.EXCLUSIONS, form.file_format.data, filters, False, current_user)
        except ExportNotAllowed:
            abort(403)
        return redirect(url_for("legal.export_job", job_id=job.id))
    return render_template("legal/exclusions.html", form=form, requests=dao_get_recent_exclusions(None, 50))


def _chosen_incident():
    incidents = dao_get_all_incidents()
    chosen = request.args.get("incident", type=int)
    incident = dao_get_incident(chosen) if chosen else (incidents[0] if incidents else None)
    if chosen and incident is None:
        abort(404)
    return incident, incidents


def _report_download(kind: str, incident, text: str) -> Response:
    body = text.encode("utf-8")
    digest = hashlib.sha256(body).hexdigest()
    record_audit(
        AuditAction.REPORT_EXPORTED, f"incident:{incident.id}", {"report": kind, "sha256": digest, "bytes": len(body)}
    )
    db.session.commit()
    return Response(body, mimetype="text/csv; charset=utf-8", headers=_attachment(f"{kind}-{incident.slug}.csv"))


@bp.route("/declaration")
@role_required(*ROLES_READING_LEGAL_REPORTS)
def declaration():
    """Who was in the register and what happened to their notices; printable."""
    incident, incidents = _chosen_incident()
    report = build_declaration(incident) if incident else None
    return render_template(
        "legal/declaration.html",
        incident=incident,
        incidents=incidents,
        report=report,
        outcomes=OUTCOMES,
        also_counted=ALSO_COUNTED,
        status_groups=STATUS_GROUPS,
    )


@bp.route("/declaration.csv")
@role_required(*ROLES_READING_LEGAL_REPORTS)
def declaration_download():
    incident, _ = _chosen_incident()
    if incident is None:
        abort(404)
    return _report_download("declaration", incident, declaration_csv(build_declaration(incident)))


@bp.route("/regulator")
@role_required(*ROLES_READING_LEGAL_REPORTS)
def regulator():
    """Per jurisdiction: residents, thresholds, deadlines, notices sent, monitoring owed."""
    incident, incidents = _chosen_incident()
    report = regulator_report(incident) if incident else None
    return render_template(
        "legal/regulator.html",
        incident=incident,
        incidents=incidents,
        report=report,
        can_record=current_user.role in ROLES_RECORDING_FILINGS,
    )


@bp.route("/regulator.csv")
@role_required(*ROLES_READING_LEGAL_REPORTS)
def regulator_download():
    incident, _ = _chosen_incident()
    if incident is None:
        abort(404)
    return _report_download("regulator-report", incident, regulator_csv(regulator_report(incident)))


@bp.route("/jurisdictions")
@role_required(*ROLES_READING_LEGAL_REPORTS)
def jurisdictions():
    """The rules file as a table, with every unverified fact listed for counsel."""
    return render_template("legal/jurisdictions.html", rules=load_rules())


@bp.app_context_processor
def jurisdiction_choices():
    """For the template page's variant picker (templates/legal/_template_variants.html)."""

    def legal_jurisdiction_choices() -> list[tuple[str, str]]:
        return [(code, j.name) for code, j in sorted(load_rules().jurisdictions.items())]

    return {"legal_jurisdiction_choices": legal_jurisdiction_choices}


@bp.route("/variant")
@role_required(*ROLES_MANAGING_NOTICES)
def variant_edit():
    """The variant picker on a template's page: on to the template editor for that jurisdiction."""
    jurisdiction = request.args.get("jurisdiction", "").strip().upper()
    language = request.args.get("language", "")
    template_id = request.args.get("template", type=int)
    if load_rules().get(jurisdiction) is None or template_id is None:
        abort(404)
    return redirect(
        url_for("notice_templates.template_edit", template_id=template_id, language=language, jurisdiction=jurisdiction)
    )

"""Preparing a batch: create, audience, schedule, approve (a second admin), cancel."""

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from portal.batches import bp
from portal.batches.audience import (
    AudienceUploadError,
    batch_audience,
    parse_contractor_ids,
)
from portal.batches.forms import (
    ApproveForm,
    AudienceFilterForm,
    AudienceUploadForm,
    ConfirmForm,
    NewBatchForm,
    ScheduleForm,
    SendTestForm,
)
from portal.batches.progress import BATCH_STATUS_LABELS, batch_page
from portal.batches.reminder_templates import ReminderTemplateError, offered_reminder, use_default_reminder_template
from portal.batches.reminders import REMINDER_LABELS
from portal.batches.service import (
    BatchBlocked,
    BatchError,
    approve_batch,
    batch_fingerprint,
    cancel_batch,
    check_can_approve,
    count_audience,
    create_batch,
    get_batch,
    list_batches,
    needs_starting,
    schedule_batch,
    set_audience,
    template_version_choices,
)
from portal.constants import ROLES_MANAGING_NOTICES, AudienceKind, BatchStatus
from portal.core.i18n import LANGUAGE_NAMES
from portal.core.taxonomy import load_taxonomy
from portal.legal.compliance import batch_compliance_gaps
from portal.staff.auth import role_required
from portal.web.request_limits import STAFF_UPLOAD, body_limit

# An upload with thousands of bad ids would make an unreadable page; the first ones show the pattern.
PROBLEMS_SHOWN = 50


def batch_or_404(batch_id: int):
    batch = get_batch(batch_id)
    if batch is None:
        abort(404)
    return batch


def refusal(batch, message: str, status: int):
    """A page saying why an action on the batch was refused, with the right status code."""
    return render_template("batches/refused.html", batch=batch, message=message), status


@bp.route("/")
@role_required(*ROLES_MANAGING_NOTICES)
def batch_list():
    """Every batch, newest first."""
    return render_template("batches/list.html", batches=list_batches(), labels=BATCH_STATUS_LABELS)


@bp.route("/new", methods=["GET", "POST"])
@role_required(*ROLES_MANAGING_NOTICES)
def batch_new():
    """Start a batch: a name, the template version it pins, and email or letter."""
    form = NewBatchForm()
    form.template_version.choices = [SelectChoice(value, label) for value, label in template_version_choices()]
    if form.template_version.choices and form.validate_on_submit():
        try:
            batch = create_batch(form.name.data, form.template_version.data, form.channel.data, current_user)
        except BatchError as error:
            form.template_version.errors = [*form.template_version.errors, str(error)]
        else:
            flash(_("Batch created. Now choose who it goes to."), "success")
            return redirect(url_for("batches.batch_audience_filter", batch_id=batch.id))
    return render_template("batches/new.html", form=form), 400 if form.errors else 200


@bp.route("/<int:batch_id>")
@role_required(*ROLES_MANAGING_NOTICES)
def batch_detail(batch_id):
    """The batch: what, to whom, its state; progress and failures once approved."""
    batch = batch_or_404(batch_id)
    page = batch_page(batch)
    audience_count = count_audience(batch)
    return render_template(
        "batches/detail.html",
        page=page,
        batch=batch,
        audience_count=audience_count,
        test_form=SendTestForm(),
        labels=BATCH_STATUS_LABELS,
        reminder=offered_reminder(batch),
        reminder_labels=REMINDER_LABELS,
        confirm_form=ConfirmForm(),
    )


@bp.route("/<int:batch_id>/default-reminder", methods=["POST"])
@role_required(*ROLES_MANAGING_NOTICES)
def batch_use_default_reminder(batch_id):
    """Give a reminder batch the default reminder text for its audience, in every language."""
    batch = batch_or_404(batch_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        template = use_default_reminder_template(batch.id, current_user)
    except ReminderTemplateError as exc:
        return refusal(batch, str(exc), 409)
    flash(
        _(
            "The batch now uses the template “%(name)s”. Preview it, and edit the template if you want.",
            name=template.name,
        ),
        "success",
    )
    return redirect(url_for("batches.batch_detail", batch_id=batch.id))


@bp.route("/<int:batch_id>/audience", methods=["GET", "POST"])
@role_required(*ROLES_MANAGING_NOTICES)
def batch_audience_filter(batch_id):
    """Choose the audience with a filter (each condition narrows it; none = everyone affected)."""
    batch = batch_or_404(batch_id)
    if batch.status != BatchStatus.DRAFT:
        return refusal(batch, _("This batch has been approved or cancelled, so its audience cannot change."), 409)
    form = AudienceFilterForm()
    form.categories.choices = [SelectChoice(code, _(c.title)) for code, c in load_taxonomy().items()]
    languages = current_app.config["LANGUAGES"]
    form.languages.choices = [SelectChoice(code, LANGUAGE_NAMES.get(code, code)) for code in languages]
    if request.method == "GET" and batch_audience(batch).kind == AudienceKind.FILTER:
        form.fill_from(batch_audience(batch))
    if form.validate_on_submit():
        set_audience(batch, form.audience())
        flash(_("Audience saved."), "success")
        return redirect(url_for("batches.batch_detail", batch_id=batch.id))
    return render_template("batches/audience.html", form=form, batch=batch), 400 if form.errors else 200


@bp.route("/<int:batch_id>/audience/upload", methods=["GET", "POST"])
@body_limit(STAFF_UPLOAD)
@role_required(*ROLES_MANAGING_NOTICES)
def batch_audience_upload(batch_id):
    """Choose the audience by uploading a CSV list of contractor IDs."""
    batch = batch_or_404(batch_id)
    if batch.status != BatchStatus.DRAFT:
        return refusal(batch, _("This batch has been approved or cancelled, so its audience cannot change."), 409)
    form = AudienceUploadForm()
    problems: list[str] = []
    if form.validate_on_submit():
        try:
            audience = parse_contractor_ids(form.contractor_ids.data.read(), batch.incident_id)
        except AudienceUploadError as error:
            problems = error.problems
            form.contractor_ids.errors = [
                *form.contractor_ids.errors,
                ngettext(
                    "The file has %(num)d problem, listed below. Nothing was saved.",
                    "The file has %(num)d problems, listed below. Nothing was saved.",
                    len(problems),
                ),
            ]
        else:
            set_audience(batch, audience)
            flash(
                ngettext(
                    "Audience saved: %(num)d contractor ID.",
                    "Audience saved: %(num)d contractor IDs.",
                    len(audience.contractor_ids),
                ),
                "success",
            )
            return redirect(url_for("batches.batch_detail", batch_id=batch.id))
    status = 400 if form.errors else 200
    return render_template(
        "batches/upload.html",
        form=form,
        batch=batch,
        problems=problems[:PROBLEMS_SHOWN],
        more_problems=max(0, len(problems) - PROBLEMS_SHOWN),
    ), status


@bp.route("/<int:batch_id>/schedule", methods=["GET", "POST"])
@role_required(*ROLES_MANAGING_NOTICES)
def batch_schedule(batch_id):
    """Send as soon as approved, or at a set time."""
    batch = batch_or_404(batch_id)
    form = ScheduleForm()
    if request.method == "GET" and batch.scheduled_for:
        form.when.data, form.send_at.data = "later", batch.scheduled_for.replace(tzinfo=None)
    if form.validate_on_submit():
        try:
            schedule_batch(batch, form.send_time())
        except BatchError as error:
            form.send_at.errors = [*form.send_at.errors, str(error)]
        else:
            flash(_("Schedule saved."), "success")
            return redirect(url_for("batches.batch_detail", batch_id=batch.id))
    return render_template("batches/schedule.html", form=form, batch=batch), 400 if form.errors else 200


@bp.route("/<int:batch_id>/approve", methods=["GET", "POST"])
@role_required(*ROLES_MANAGING_NOTICES)
def batch_approve(batch_id):
    """Check your answers, then approve: only an admin who did not create the batch may."""
    batch = batch_or_404(batch_id)
    try:
        check_can_approve(batch, current_user)
    except BatchError as error:
        return refusal(batch, str(error), 403 if batch.created_by_id == current_user.id else 409)
    form = ApproveForm()
    if form.validate_on_submit():
        try:
            batch = approve_batch(batch.id, current_user, form.fingerprint.data or "")
        except BatchBlocked as blocked:
            return _approve_page(batch, form, blocked.gaps), 409
        except BatchError as error:
            return refusal(batch, str(error), 409)
        flash(
            ngettext(
                "Batch approved: %(num)d notification.", "Batch approved: %(num)d notifications.", batch.audience_count
            ),
            "success",
        )
        if needs_starting(batch):
            flash(_("Sending did not start. Use “Start sending” on this page to try again."), "error")
        return redirect(url_for("batches.batch_detail", batch_id=batch.id))
    return _approve_page(batch, form, batch_compliance_gaps(batch))


def _approve_page(batch, form, gaps):
    form.fingerprint.data = batch_fingerprint(batch)
    return render_template(
        "batches/approve.html",
        form=form,
        batch=batch,
        page=batch_page(batch),
        audience_count=count_audience(batch),
        gaps=gaps,
    )


@bp.route("/<int:batch_id>/cancel", methods=["GET", "POST"])
@role_required(*ROLES_MANAGING_NOTICES)
def batch_cancel(batch_id):
    """Check your answers, then cancel: everything not yet sent is stopped."""
    batch = batch_or_404(batch_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            stopped = cancel_batch(batch.id, current_user)
        except BatchError as error:
            return refusal(batch, str(error), 409)
        flash(
            ngettext(
                "Batch cancelled. %(num)d notification was stopped before sending.",
                "Batch cancelled. %(num)d notifications were stopped before sending.",
                stopped,
            ),
            "success",
        )
        return redirect(url_for("batches.batch_detail", batch_id=batch.id))
    page = batch_page(batch)
    if not page.cancellable:
        return refusal(batch, _("This batch has finished, so there is nothing left to cancel."), 409)
    return render_template(
        "batches/cancel.html", form=form, batch=batch, page=page, audience_count=count_audience(batch)
    )

"""Watching and steering a batch: preview, test, progress, retry, unknowns, letters."""

from flask import Response, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from markupsafe import Markup

from portal.batches import bp
from portal.batches.forms import ConfirmForm, ResolveUnknownForm, SendTestForm
from portal.batches.letters import LetterFileError, read_letter_file
from portal.batches.preview import find_recipient_uid, preview_recipient, send_test
from portal.batches.progress import batch_page, batch_progress
from portal.batches.routes.prepare import batch_or_404, refusal
from portal.batches.service import (
    BatchError,
    count_audience,
    create_letter_batch_for_bounced,
    resolve_unknown,
    retry_failed,
    start_sending,
)
from portal.constants import ROLES_MANAGING_NOTICES
from portal.staff.auth import role_required

UNKNOWN_ACTIONS = ("resend", "mark_sent")


@bp.route("/<int:batch_id>/preview")
@role_required(*ROLES_MANAGING_NOTICES)
def batch_preview(batch_id):
    """The notice one recipient would get, with previous and next; ``?contractor_id=`` jumps to someone."""
    batch = batch_or_404(batch_id)
    uid = request.args.get("person") or None
    contractor_id = (request.args.get("contractor_id") or "").strip()
    not_found = False
    if contractor_id:
        uid = find_recipient_uid(batch, contractor_id)
        not_found = uid is None
    preview = preview_recipient(batch, uid) if not not_found else None
    if preview is None and uid and not contractor_id:
        abort(404)
    html = Markup(preview.rendered.html) if preview else None  # noqa: S704 - sanitised by the renderer
    return render_template(
        "batches/preview.html",
        batch=batch,
        preview=preview,
        html=html,
        total=count_audience(batch),
        contractor_id=contractor_id,
        not_found=not_found,
        test_form=SendTestForm(person=preview.person.uid if preview else ""),
    ), 404 if not_found else 200


@bp.route("/<int:batch_id>/test", methods=["POST"])
@role_required(*ROLES_MANAGING_NOTICES)
def batch_send_test(batch_id):
    """Send the previewed notice to the admin's own address, subject marked [TEST]."""
    batch = batch_or_404(batch_id)
    form = SendTestForm()
    if not form.validate_on_submit():
        abort(400)
    address = send_test(batch, form.person.data or None, current_user)
    flash(_("A test was sent to %(address)s.", address=address), "success")
    if form.person.data:
        return redirect(url_for("batches.batch_preview", batch_id=batch.id, person=form.person.data))
    return redirect(url_for("batches.batch_detail", batch_id=batch.id))


@bp.route("/<int:batch_id>/progress.json")
@role_required(*ROLES_MANAGING_NOTICES)
def batch_progress_json(batch_id):
    """Counts by status for static/js/batch-progress.js, which polls it."""
    response = jsonify(batch_progress(batch_or_404(batch_id)).to_json())
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/<int:batch_id>/retry", methods=["GET", "POST"])
@role_required(*ROLES_MANAGING_NOTICES)
def batch_retry(batch_id):
    """Check your answers, then queue the failed notifications again."""
    batch = batch_or_404(batch_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            queued = retry_failed(batch.id)
        except BatchError as error:
            return refusal(batch, str(error), 409)
        flash(
            ngettext(
                "%(num)d failed notification was queued again.",
                "%(num)d failed notifications were queued again.",
                queued,
            ),
            "success",
        )
        return redirect(url_for("batches.batch_detail", batch_id=batch.id))
    return render_template("batches/retry.html", form=form, batch=batch, page=batch_page(batch))


@bp.route("/<int:batch_id>/start", methods=["GET", "POST"])
@role_required(*ROLES_MANAGING_NOTICES)
def batch_start(batch_id):
    """Check your answers, then start sending an approved batch that did not start, or resume a stopped one."""
    batch = batch_or_404(batch_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            start_sending(batch.id)
        except BatchError as error:
            return refusal(batch, str(error), 409)
        flash(_("Sending started."), "success")
        return redirect(url_for("batches.batch_detail", batch_id=batch.id))
    return render_template("batches/start.html", form=form, batch=batch, page=batch_page(batch))


@bp.route("/<int:batch_id>/unknown/<action>", methods=["GET", "POST"])
@role_required(*ROLES_MANAGING_NOTICES)
def batch_resolve_unknown(batch_id, action):
    """Check your answers, then resend or mark as sent the notifications nobody knows the fate of."""
    if action not in UNKNOWN_ACTIONS:
        abort(404)
    batch = batch_or_404(batch_id)
    form = ResolveUnknownForm()
    if request.method == "GET":
        form.notifications.data = ",".join(request.args.getlist("notification"))
    if form.validate_on_submit():
        try:
            changed = resolve_unknown(batch.id, form.notification_ids(), action)
        except BatchError as error:
            return refusal(batch, str(error), 409)
        message = (
            ngettext(
                "%(num)d notification was queued to send again.",
                "%(num)d notifications were queued to send again.",
                changed,
            )
            if action == "resend"
            else ngettext(
                "%(num)d notification was marked as sent.", "%(num)d notifications were marked as sent.", changed
            )
        )
        flash(message, "success")
        return redirect(url_for("batches.batch_detail", batch_id=batch.id))
    page = batch_page(batch)
    chosen = form.notification_ids()
    rows = [row for row in page.unknowns if chosen is None or row[0].id in chosen]
    return render_template(
        "batches/resolve.html",
        form=form,
        batch=batch,
        page=page,
        action=action,
        rows=rows,
        count=len(chosen) if chosen else page.unknown_count,
    )


@bp.route("/<int:batch_id>/letters.csv")
@role_required(*ROLES_MANAGING_NOTICES)
def batch_letter_file(batch_id):
    """Download the print vendor's file, decrypted. Audited with its SHA-256."""
    batch = batch_or_404(batch_id)
    try:
        data, digest = read_letter_file(batch)
    except LetterFileError as error:
        return refusal(batch, str(error), 404)
    return Response(
        data,
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="batch-{batch.id}-letters.csv"',
            "Cache-Control": "no-store",
            "X-Content-SHA256": digest,
        },
    )


@bp.route("/<int:batch_id>/letters-for-bounced", methods=["POST"])
@role_required(*ROLES_MANAGING_NOTICES)
def batch_letters_for_bounced(batch_id):
    """Make a draft letter batch for everyone whose last notice about the incident bounced."""
    batch = batch_or_404(batch_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    letters = create_letter_batch_for_bounced(batch, current_user)
    flash(_("Letter batch created for the people whose last notice bounced. Another admin must approve it."), "success")
    return redirect(url_for("batches.batch_detail", batch_id=letters.id))

"""Staff: the letters-on-request queue, made into a print file by an admin; support queue one for a caller."""

from flask import Response, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.batches.letters import LetterFileError
from portal.constants import Role
from portal.dao.letter_requests import dao_get_letter_request_file, dao_letter_request_files, dao_queued_letter_ids
from portal.dao.people import dao_get_person_by_contractor_id
from portal.extensions import db
from portal.staff.auth import role_required
from portal.trust import bp
from portal.trust.constants import LetterRequestSource
from portal.trust.forms import ConfirmForm, QueueLetterForm
from portal.trust.letter_file import make_letter_request_file, read_letter_request_file
from portal.trust.letters_by_post import queue_letter

ROLES_QUEUEING_LETTERS = (Role.ADMIN, Role.SUPPORT)
ROLES_MAKING_LETTER_FILES = (Role.ADMIN,)


def _page(queue_form=None, status=200):
    return (
        render_template(
            "trust/staff_letters.html",
            queued=len(dao_queued_letter_ids()),
            files=dao_letter_request_files(),
            queue_form=queue_form or QueueLetterForm(formdata=None),
            confirm_form=ConfirmForm(),
            may_make_file=current_user.role in ROLES_MAKING_LETTER_FILES,
        ),
        status,
    )


@bp.route("/staff/letter-requests")
@role_required(*ROLES_QUEUEING_LETTERS)
def letter_requests_page():
    return _page()


@bp.route("/staff/letter-requests/queue", methods=["POST"])
@role_required(*ROLES_QUEUEING_LETTERS)
def queue_letter_for_caller():
    """After checking a caller's identity, queue them a letter (audited with the staff member's name)."""
    form = QueueLetterForm()
    if not form.validate_on_submit():
        return _page(queue_form=form, status=400)
    person = dao_get_person_by_contractor_id(form.contractor_id.data)
    if person is None:
        form.contractor_id.errors = [_("No one in the register has this contractor ID")]
        return _page(queue_form=form, status=400)
    queued = queue_letter(person, LetterRequestSource.SUPPORT)
    db.session.commit()
    flash(_("Letter queued.") if queued else _("A letter for this person is already waiting in the queue."), "success")
    return redirect(url_for("trust.letter_requests_page"))


@bp.route("/staff/letter-requests/file", methods=["POST"])
@role_required(*ROLES_MAKING_LETTER_FILES)
def make_letter_file():
    """The one approval: every queued letter into one print file, each with a fresh code."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        made = make_letter_request_file(current_user.id)
    except LetterFileError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("trust.letter_requests_page"))
    if made is None:
        flash(_("No letters were waiting: the queue is empty, or another admin has just made the file."), "info")
    else:
        flash(
            _("Letter file made with %(num)d letters. Download it for the print vendor.", num=made.letters), "success"
        )
    return redirect(url_for("trust.letter_requests_page"))


@bp.route("/staff/letter-requests/files/<int:file_id>/letters.csv")
@role_required(*ROLES_MAKING_LETTER_FILES)
def download_letter_file(file_id: int):
    """The print vendor's file, decrypted, like a letter batch's. Audited with its SHA-256."""
    letter_file = dao_get_letter_request_file(file_id)
    if letter_file is None:
        abort(404)
    try:
        plain, digest = read_letter_request_file(letter_file)
    except LetterFileError as exc:
        flash(str(exc), "error")
        return redirect(url_for("trust.letter_requests_page"))
    return Response(
        plain,
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="letters-on-request-{file_id}.csv"',
            "Cache-Control": "no-store",
            "X-Content-SHA256": digest,
        },
    )

"""Data-protection requests: the contractor's form and list, and the staff queue where legal decides."""

import json

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.constants import ROLES_DECIDING_DATA_REQUESTS, ROLES_READING_DATA_REQUESTS
from portal.core.time import utctoday
from portal.dao.data_requests import dao_data_request_queue, dao_data_requests_of_person, dao_get_data_request
from portal.dao.people import dao_get_person
from portal.privacy import bp
from portal.privacy.downloads import send_download
from portal.privacy.forms import KIND_LABELS, DataRequestForm, DecideDataRequestForm
from portal.privacy.record import access_copy, new_reference
from portal.privacy.requests import RequestAlreadyDecided, RequestAlreadyOpen, decide_request, make_request
from portal.staff.auth import role_required
from portal.verify.session import contractor_required


@bp.route("/my/requests", methods=["GET", "POST"])
@contractor_required
def my_requests(person):
    form = DataRequestForm()
    if form.validate_on_submit():
        try:
            row = make_request(person, form.kind.data, form.details.data or "")
        except RequestAlreadyOpen:
            flash(_("You already have a request of this kind waiting. We will answer it by its date."), "info")
        else:
            flash(_("We have your request. We will answer by %(date)s.", date=row.due_on.isoformat()), "success")
        return redirect(url_for("privacy.my_requests"))
    return render_template(
        "privacy/my_requests.html",
        form=form,
        requests=dao_data_requests_of_person(person.id),
        labels=KIND_LABELS,
    ), (400 if form.errors else 200)


@bp.route("/staff/privacy/requests")
@role_required(*ROLES_READING_DATA_REQUESTS)
def request_queue():
    return render_template(
        "privacy/queue.html", rows=dao_data_request_queue(open_only=False), labels=KIND_LABELS, today=utctoday()
    )


@bp.route("/staff/privacy/requests/<int:request_id>", methods=["GET", "POST"])
@role_required(*ROLES_READING_DATA_REQUESTS)
def request_detail(request_id):
    row = dao_get_data_request(request_id)
    if row is None:
        abort(404)
    may_decide = current_user.role in ROLES_DECIDING_DATA_REQUESTS
    form = DecideDataRequestForm()
    if form.is_submitted() and not may_decide:
        abort(403)
    if form.validate_on_submit():
        try:
            decide_request(request_id, current_user, form.decision.data == "grant", form.reason.data)
        except RequestAlreadyDecided:
            # 409: the page shows the decision someone else made, so the clicker sees what stands.
            flash(_("Someone else decided this request first. Nothing was changed."), "info")
            return _detail_page(dao_get_data_request(request_id), form, may_decide), 409
        flash(_("Decision recorded."), "success")
        return redirect(url_for("privacy.request_detail", request_id=request_id))
    return _detail_page(row, form, may_decide), (400 if form.errors else 200)


def _detail_page(row, form, may_decide: bool) -> str:
    return render_template(
        "privacy/request.html",
        row=row,
        person=dao_get_person(row.person_id),
        form=form,
        may_decide=may_decide,
        labels=KIND_LABELS,
        today=utctoday(),
    )


@bp.route("/staff/privacy/requests/<int:request_id>/copy.json")
@role_required(*ROLES_DECIDING_DATA_REQUESTS)
def request_copy(request_id):
    """Legal answers an access request made by post or phone with the same copy the person can download."""
    row = dao_get_data_request(request_id)
    person = dao_get_person(row.person_id) if row else None
    if person is None:
        abort(404)
    reference = new_reference()
    body = json.dumps(access_copy(person, reference), ensure_ascii=False, indent=2).encode()
    return send_download(
        body, "application/json", "data-copy.json", person, "json", reference, f"staff:{current_user.id}", request_id
    )

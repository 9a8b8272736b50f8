"""Support send a caller their notice again from the person page: a reason, a check page, then once.

Only after the agent has checked the caller's date of birth on the person page and it matched
(in this session, within CALLER_CHECK_MINUTES). Both steps are POST forms, so nothing about the
person lands in a URL; the confirmation is throttled per person, however many agents take calls.
"""

import time

from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.constants import Channel, Role
from portal.dao.people import dao_get_person_by_uid
from portal.extensions import limiter
from portal.staff import bp
from portal.staff.auth import role_required
from portal.staff.forms import ResendReasonForm
from portal.staff.resend import RESEND_CHANNELS, ResendRefused, resend_by_email, resend_by_letter, resend_plan

ROLES_RESENDING = (Role.ADMIN, Role.SUPPORT)
CALLER_CHECKED_KEY = "staff_caller_checked"
CALLER_CHECK_MINUTES = 15


def remember_caller_checked(uid: str) -> None:
    """The caller on the line has just given this person's date of birth correctly."""
    session[CALLER_CHECKED_KEY] = {"uid": uid, "at": int(time.time())}


def caller_checked(uid: str) -> bool:
    checked = session.get(CALLER_CHECKED_KEY) or {}
    return checked.get("uid") == uid and time.time() - checked.get("at", 0) < CALLER_CHECK_MINUTES * 60


def _person_and_plan(uid: str, channel: str):
    if channel not in RESEND_CHANNELS:
        abort(404)
    person = dao_get_person_by_uid(uid)
    if person is None:
        abort(404)
    try:
        return person, resend_plan(person, channel), None
    except ResendRefused as exc:
        return person, None, str(exc)


def _render(template, person, channel, plan, refused, form, status=200):
    return render_template(
        template,
        person=person,
        channel=channel,
        plan=plan,
        refused=refused,
        checked=caller_checked(person.uid),
        form=form,
        check_minutes=CALLER_CHECK_MINUTES,
        is_email=channel == Channel.EMAIL,
    ), status


@bp.route("/people/<uid>/resend/<channel>", methods=["GET", "POST"])
@role_required(*ROLES_RESENDING)
def resend_reason(uid, channel):
    """Step one: why. A valid reason shows the check page; nothing is sent yet."""
    person, plan, refused = _person_and_plan(uid, channel)
    form = ResendReasonForm() if request.method == "POST" else ResendReasonForm(formdata=None)
    if request.method == "POST" and "change" in request.form:
        # "Change" on the check page posts the reason back (a link would lose it, and the reason
        # must not travel in a URL), so the agent edits what they wrote instead of starting over.
        return _render("staff/resend.html", person, channel, plan, refused, form)
    if request.method == "POST" and plan and caller_checked(uid) and form.validate_on_submit():
        return _render("staff/resend_check.html", person, channel, plan, refused, form)
    status = 400 if form.errors else 200
    return _render("staff/resend.html", person, channel, plan, refused, form, status)


def _resend_limit() -> str:
    return current_app.config["SUPPORT_RESEND_LIMIT_PER_PERSON"]


@bp.route("/people/<uid>/resend/<channel>/confirm", methods=["POST"])
@role_required(*ROLES_RESENDING)
@limiter.limit(_resend_limit, key_func=lambda: f"resend:{request.view_args.get('uid')}", scope="support-resend")
def resend_confirm(uid, channel):
    """Step two: send it (once, whoever clicks first), and go back to the person's page."""
    person, plan, refused = _person_and_plan(uid, channel)
    form = ResendReasonForm()
    if not form.validate_on_submit() or plan is None or not caller_checked(uid):
        return _render("staff/resend.html", person, channel, plan, refused, form, 400)
    try:
        if channel == Channel.EMAIL:
            resend_by_email(person, current_user, form.reason.data)
            flash(_("The notice is on its way by email, with a new notice code."), "success")
        else:
            resend_by_letter(person, form.reason.data)
            flash(_("A letter with a new notice code will go in the next letter file."), "success")
    except ResendRefused as exc:
        flash(str(exc), "error")
    return redirect(url_for("staff.person_view", uid=uid) + "#resend")

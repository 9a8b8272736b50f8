"""The staff accounts screen (admins) and the enrolment page an invite link opens (nobody signed in).

An enrolment link is shown once, on the page that made it, and is never logged or audited: the
audit row names the invite's id. Opening it moves the invite into the session and redirects to a
page without the token, so it does not linger in the address bar, the history or a Referer.
"""

import pyotp
from flask import abort, flash, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.constants import ROLES_MANAGING_STAFF, STAFF_ROLES
from portal.extensions import limiter
from portal.staff import bp
from portal.staff.accounts import (
    AccountChangeRefused,
    accounts_overview,
    change_role,
    deactivate_account,
    enrol,
    invite_staff,
    open_invite,
    reset_authenticator,
    usable_invite,
)
from portal.staff.auth import role_required
from portal.staff.forms import AccountActionForm, EnrolForm, InviteForm, RoleForm
from portal.staff.service import StaffAccountError, totp_provisioning_uri

ENROL_INVITE_KEY = "staff_enrol_invite"
ENROL_SECRET_KEY = "staff_enrol_secret"  # noqa: S105 - a session key's name, not a secret


def _role_choices(form) -> None:
    form.role.choices = [("", _("Choose a role"))] + [(str(r), str(r)) for r in STAFF_ROLES]


def _accounts_page(invite_form=None, status=200, link=None, link_for=None):
    invite_form = invite_form or InviteForm(formdata=None)
    _role_choices(invite_form)
    role_form = RoleForm(formdata=None)
    _role_choices(role_form)
    page = render_template(
        "staff/accounts.html",
        overview=accounts_overview(),
        invite_form=invite_form,
        role_form=role_form,
        action_form=AccountActionForm(formdata=None),
        link=link,
        link_for=link_for,
    )
    # A page carrying a one-time link is never kept by a browser or a proxy cache.
    return page, status, {"Cache-Control": "no-store"}


def _link(token: str) -> str:
    return url_for("staff.enrol_link", token=token, _external=True)


@bp.route("/accounts")
@role_required(*ROLES_MANAGING_STAFF)
def accounts():
    """Every staff account with role, last sign-in and status; open invites; the changes an admin can make."""
    return _accounts_page()


@bp.route("/accounts/invite", methods=["POST"])
@role_required(*ROLES_MANAGING_STAFF)
def accounts_invite():
    form = InviteForm()
    _role_choices(form)
    if not form.validate_on_submit():
        return _accounts_page(form, 400)
    try:
        token = invite_staff(current_user, form.email.data, form.role.data)
    except AccountChangeRefused as refused:
        form.email.errors = [str(refused)]
        return _accounts_page(form, 400)
    return _accounts_page(link=_link(token), link_for=form.email.data)


def _refused(refused: AccountChangeRefused):
    flash(str(refused), "error")
    return redirect(url_for("staff.accounts"))


@bp.route("/accounts/<int:staff_id>/role", methods=["POST"])
@role_required(*ROLES_MANAGING_STAFF)
def accounts_role(staff_id):
    form = RoleForm()
    _role_choices(form)
    if not form.validate_on_submit():
        flash(_("Choose a role."), "error")
        return redirect(url_for("staff.accounts"))
    try:
        target = change_role(current_user, staff_id, form.role.data)
    except AccountChangeRefused as refused:
        return _refused(refused)
    flash(_("%(email)s is now %(role)s; their sessions have ended.", email=target.email, role=target.role), "success")
    return redirect(url_for("staff.accounts"))


@bp.route("/accounts/<int:staff_id>/deactivate", methods=["POST"])
@role_required(*ROLES_MANAGING_STAFF)
def accounts_deactivate(staff_id):
    if not AccountActionForm().validate_on_submit():
        abort(400)
    try:
        target = deactivate_account(current_user, staff_id)
    except AccountChangeRefused as refused:
        return _refused(refused)
    flash(_("%(email)s is deactivated and signed out everywhere.", email=target.email), "success")
    return redirect(url_for("staff.accounts"))


@bp.route("/accounts/<int:staff_id>/reset-authenticator", methods=["POST"])
@role_required(*ROLES_MANAGING_STAFF)
def accounts_reset_authenticator(staff_id):
    if not AccountActionForm().validate_on_submit():
        abort(400)
    try:
        token = reset_authenticator(current_user, staff_id)
    except AccountChangeRefused as refused:
        return _refused(refused)
    invite = open_invite(token)
    return _accounts_page(link=_link(token), link_for=invite.email if invite else "")


@bp.route("/enrol/<token>")
@limiter.limit("30 per hour")
def enrol_link(token):
    """Open an enrolment link: remember the invite in this session and continue without the token."""
    invite = open_invite(token)
    if invite is None:
        return render_template("staff/enrol_invalid.html"), 404
    session[ENROL_INVITE_KEY] = invite.id
    session[ENROL_SECRET_KEY] = pyotp.random_base32()
    return redirect(url_for("staff.enrol_page"))


@bp.route("/enrol", methods=["GET", "POST"])
@limiter.limit("20 per hour", methods=["POST"])
def enrol_page():
    """Set a password and an authenticator app, proved by a code from it."""
    invite = usable_invite(session.get(ENROL_INVITE_KEY))
    secret = session.get(ENROL_SECRET_KEY)
    if invite is None or not secret:
        return render_template("staff/enrol_invalid.html"), 404
    form = EnrolForm()
    error = None
    if form.validate_on_submit():
        try:
            enrol(invite, form.password.data, secret, form.code.data)
        except (AccountChangeRefused, StaffAccountError) as refused:
            error = str(refused)
        else:
            session.pop(ENROL_INVITE_KEY, None)
            session.pop(ENROL_SECRET_KEY, None)
            flash(_("Your account is ready. Sign in with your email address, password and a new code."), "success")
            return redirect(url_for("staff.sign_in"))
    status = 400 if error or form.errors else 200
    page = render_template(
        "staff/enrol.html",
        form=form,
        invite=invite,
        secret=secret,
        uri=totp_provisioning_uri(invite.email, secret),
        error=error,
    )
    return page, status, {"Cache-Control": "no-store"}

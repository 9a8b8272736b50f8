from flask import abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.constants import (
    ROLES_READING_BIRTH_DATES,
    ROLES_SEEING_PERSONAL_DATA,
    STAFF_ROLES,
)
from portal.core.catalog_status import catalog_statuses
from portal.core.i18n import translations_folder
from portal.crypto import crypto
from portal.extensions import limiter
from portal.staff import bp
from portal.staff.auth import role_required, staff_session_expired
from portal.staff.forms import CallerBirthDateForm, PeopleSearchForm, SignInCodeForm, SignInForm
from portal.staff.navigation import sections_for_current_user, staff_can
from portal.staff.routes.resend import caller_checked, remember_caller_checked
from portal.staff.service import (
    check_birth_date,
    check_code_step,
    check_password_step,
    record_sign_out,
    search_people,
    view_person,
)
from portal.staff.session import (
    end_staff_session,
    finish_sign_in,
    pending_key,
    pending_user,
    safe_next_path,
    start_pending_sign_in,
)
from portal.web.throttles import counts_wrong_guesses_only, record_wrong_guess


def _account_limit() -> str:
    return current_app.config["STAFF_LOGIN_LIMIT_PER_ACCOUNT"]


def _email_key() -> str:
    """The account a password is tried against, as its blind index: no address lands in Redis."""
    return "staff-email:" + crypto().email_index(request.form.get("email", ""))[:32]


# Throttles count each POST before deciding and give it back unless it was a wrong guess
# (portal/web/throttles.py), so staff signing in correctly from one office are never slowed.
# Shared by both steps: one budget of failures per IP address across password and code.
_sign_in_ip_limit = limiter.shared_limit(
    lambda: current_app.config["STAFF_LOGIN_LIMIT_PER_IP"], scope="staff-sign-in-ip", methods=["POST"]
)


@bp.app_context_processor
def staff_navigation():
    return {"staff_can": staff_can, "staff_sections": sections_for_current_user}


@bp.before_app_request
def forget_request_state():
    """Start each request without what an earlier one cached in ``g``: the user, the CSRF token.

    In production every request has its own app context, so this changes nothing; in tests several
    requests (and several signed-in clients) can share one app context, and so one ``g``. Signing
    in clears the session, so a token cached from before would no longer match it.
    """
    for key in ("_login_user", "csrf_token"):
        g.pop(key, None)


@bp.route("/sign-in", methods=["GET", "POST"])
@_sign_in_ip_limit
# Per account as well: a password list tried from many addresses still gets this many guesses.
@limiter.limit(_account_limit, key_func=_email_key, methods=["POST"], scope="staff-password-account")
@counts_wrong_guesses_only
def sign_in():
    """Step one of signing in: email address and password."""
    next_path = safe_next_path(request.args.get("next"))
    if current_user.is_authenticated and not staff_session_expired():
        return redirect(next_path or url_for("staff.dashboard"))
    form = SignInForm()
    failed = False
    if form.validate_on_submit():
        user = check_password_step(form.email.data, form.password.data)
        if user is not None:
            start_pending_sign_in(user, next_path)
            return redirect(url_for("staff.sign_in_code"))
        record_wrong_guess()
        failed = True
    status = 400 if failed or form.errors else 200
    return render_template("staff/sign_in.html", form=form, failed=failed, next_path=next_path), status


@bp.route("/sign-in/code", methods=["GET", "POST"])
@_sign_in_ip_limit
# Per account: someone holding a stolen password from many addresses still gets this many guesses.
@limiter.limit(_account_limit, key_func=pending_key, methods=["POST"], scope="staff-code-account")
@counts_wrong_guesses_only
def sign_in_code():
    """Step two of signing in: the 6-digit code from the authenticator app."""
    user = pending_user()
    if user is None:
        flash(_("Sign in again. The code must be entered within 5 minutes of the password."), "info")
        return redirect(url_for("staff.sign_in"))
    form = SignInCodeForm()
    failed = False
    if form.validate_on_submit():
        if check_code_step(user, form.code.data):
            return redirect(finish_sign_in(user) or url_for("staff.dashboard"))
        record_wrong_guess()
        failed = True
    status = 400 if failed or form.errors else 200
    return render_template("staff/sign_in_code.html", form=form, failed=failed), status


@bp.route("/sign-out", methods=["POST"])
@role_required(*STAFF_ROLES)
def sign_out():
    """End the staff session (a form button, so a link or image cannot sign anyone out)."""
    record_sign_out(current_user)
    end_staff_session()
    flash(_("You have signed out."), "success")
    return redirect(url_for("staff.sign_in"))


@bp.route("/")
@role_required(*STAFF_ROLES)
def dashboard():
    """The staff home page: the sections this role can use, and how far each language's catalog is."""
    folder = str(translations_folder(current_app))
    return render_template("staff/dashboard.html", catalogs=catalog_statuses(folder, current_app.config["LANGUAGES"]))


@bp.route("/people", methods=["GET", "POST"])
@role_required(*ROLES_SEEING_PERSONAL_DATA)
def people_search():
    """Find people by contractor id or email. A POST form, so the term never lands in a URL or log."""
    form = PeopleSearchForm()
    people = search_people(form.term.data) if form.validate_on_submit() else None
    status = 400 if form.errors else 200
    return render_template("staff/people_search.html", form=form, people=people), status


@bp.route("/people/<uid>")
@role_required(*ROLES_SEEING_PERSONAL_DATA)
def person_view(uid):
    """One person's decrypted record, exposures and notice-code history. Every view is audited."""
    return _person_page(uid, CallerBirthDateForm(formdata=None))


def _person_page(uid, form, match=None, status=200):
    record = view_person(uid, show_birth_date=current_user.role in ROLES_READING_BIRTH_DATES)
    if record is None:
        abort(404)
    return render_template(
        "staff/person.html", record=record, check_form=form, match=match, caller_checked=caller_checked(uid)
    ), status


@bp.route("/people/<uid>/check-birth-date", methods=["POST"])
@role_required(*ROLES_SEEING_PERSONAL_DATA)
@limiter.limit("10 per hour", key_func=lambda: f"birth-date:{current_user.id}:{request.view_args.get('uid')}")
def check_caller_birth_date(uid):
    """Check the caller's date of birth: the page answers match or no match, and the check is audited."""
    form = CallerBirthDateForm()
    if not form.validate_on_submit():
        return _person_page(uid, form, status=400)
    match = check_birth_date(uid, form.date_of_birth.data)
    if match is None:
        abort(404)
    if match:
        remember_caller_checked(uid)  # opens "send the notice again" for this caller (routes/resend.py)
    return _person_page(uid, CallerBirthDateForm(formdata=None), match=match)

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from portal.crypto import crypto
from portal.extensions import limiter
from portal.verify import bp
from portal.verify.forms import CheckForm, LostCodeForm
from portal.verify.service import code_limit_key, request_new_code, verify_identity
from portal.verify.session import end_contractor_session, start_contractor_session
from portal.web.throttles import counts_wrong_guesses_only, record_wrong_guess


def _code_key() -> str:
    return code_limit_key(request.form.get("notice_code", ""))


def _email_key() -> str:
    return crypto().email_index(request.form.get("email", ""))[:32]


# Counted before deciding, given back unless the details were wrong (portal/web/throttles.py).
@bp.route("/check", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["VERIFY_LIMIT_PER_IP"], methods=["POST"], scope="verify-ip")
@limiter.limit(
    lambda: current_app.config["VERIFY_LIMIT_PER_CODE"], methods=["POST"], key_func=_code_key, scope="verify-code"
)
@counts_wrong_guesses_only
def check():
    """The identity check: notice code, last name and date of birth."""
    form = CheckForm()
    failed = False
    if form.validate_on_submit():
        person = verify_identity(form.notice_code.data, form.last_name.data, form.date_of_birth.data)
        if person is not None:
            start_contractor_session(person)
            return redirect(url_for("exposure.my_exposure"))
        record_wrong_guess()
        failed = True
    status = 200 if not (failed or form.errors) else 400
    return render_template("verify/check.html", form=form, failed=failed), status


@bp.route("/lost-code", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOST_CODE_LIMIT_PER_IP"], methods=["POST"], scope="lost-code-ip")
@limiter.limit("3 per day", methods=["POST"], key_func=_email_key, scope="lost-code-email")
def lost_code():
    """Ask for a new code by email. The answer never says whether the address is on file."""
    form = LostCodeForm()
    if form.validate_on_submit():
        request_new_code(form.email.data)
        return redirect(url_for("verify.lost_code_sent"))
    return render_template("verify/lost_code.html", form=form), 400 if form.errors else 200


@bp.route("/lost-code/sent")
def lost_code_sent():
    """The same confirmation whether or not the email was known."""
    return render_template("verify/lost_code_sent.html")


@bp.route("/sign-out", methods=["POST"])
def sign_out():
    """End the contractor's session (a form button, so a link cannot sign anyone out)."""
    end_contractor_session()
    flash(_("You have signed out. To see your information again, check in with your notice code."), "success")
    return redirect(url_for("public.incident_page"))

"""Public pages: "Is this message from us?" and "Report a suspicious message". No sign-in, no JavaScript."""

from flask import Response, abort, current_app, redirect, render_template, request, url_for

from portal.extensions import limiter
from portal.trust import bp
from portal.trust.codes import check_notice_code
from portal.trust.forms import CodeCheckForm, ReportForm, SenderCheckForm
from portal.trust.logo import stored_logo
from portal.trust.matching import check_sender
from portal.trust.organisation import current_organisation
from portal.trust.reports import file_report
from portal.verify.service import code_limit_key
from portal.web.throttles import counts_wrong_guesses_only, record_wrong_guess


def _page(sender_form=None, code_form=None, status=200, **results):
    return (
        render_template(
            "trust/check.html",
            org=current_organisation(),
            sender_form=sender_form or SenderCheckForm(formdata=None),
            code_form=code_form or CodeCheckForm(formdata=None),
            **results,
        ),
        status,
    )


@bp.route("/organisation-logo")
def organisation_logo():
    """The logo as we re-encoded it, with the type we wrote; cached (its URL changes with each upload)."""
    logo = stored_logo()
    if logo is None:
        abort(404)
    data, mime = logo
    return Response(data, mimetype=mime, headers={"Cache-Control": "public, max-age=86400"})


@bp.route("/is-this-from-us")
def check_page():
    """Our senders, domains, phones and address; what we never do; the two checks; the report link."""
    return _page()


@bp.route("/is-this-from-us/sender", methods=["GET", "POST"])
def check_sender_view():
    if request.method == "GET":  # a bookmarked or shared answer: the page itself
        return redirect(url_for("trust.check_page"))
    form = SenderCheckForm()
    if not form.validate_on_submit():
        return _page(sender_form=form, status=400)
    result = check_sender(form.sender.data, current_organisation())
    return _page(sender_form=form, sender_result=result)


def _code_key() -> str:
    return code_limit_key(request.form.get("notice_code", ""))


# The identity check's limits, counted apart from it: a code checked here is a guess like one there.
@bp.route("/is-this-from-us/code", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["VERIFY_LIMIT_PER_IP"], methods=["POST"], scope="trust-code-ip")
@limiter.limit(
    lambda: current_app.config["VERIFY_LIMIT_PER_CODE"], methods=["POST"], key_func=_code_key, scope="trust-code"
)
@counts_wrong_guesses_only
def check_code_view():
    if request.method == "GET":
        return redirect(url_for("trust.check_page"))
    form = CodeCheckForm()
    if not form.validate_on_submit():
        return _page(code_form=form, status=400)
    # Every code looked up keeps its hit, ours or not: the answer is the same work either way.
    record_wrong_guess()
    result = check_notice_code(form.notice_code.data)
    # The code is not shown back: the page answers about "the code you typed", and a shared screen
    # or a screenshot then holds no code.
    return _page(code_form=CodeCheckForm(formdata=None), code_result=result)


# Reports need no sign-in, so one address may file only so many: enough for a household, not a flood.
@bp.route("/report-suspicious", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["REPORT_LIMIT_PER_IP"], methods=["POST"], scope="report-ip")
def report_page():
    form = ReportForm()
    if form.validate_on_submit():
        file_report(form.channel.data, form.sender.data, form.received_on.data, form.text.data or "")
        return redirect(url_for("trust.report_thanks"))
    return render_template("trust/report.html", form=form), 400 if form.errors else 200


@bp.route("/report-suspicious/thanks")
def report_thanks():
    return render_template("trust/report_thanks.html")

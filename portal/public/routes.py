from flask import current_app, flash, redirect, request, send_from_directory, session, url_for
from flask_babel import force_locale
from flask_babel import gettext as _

from portal.core.i18n import LANGUAGE_NAMES, SESSION_KEY, babel_locale, best_language
from portal.dao.sql import dao_check_database
from portal.extensions import limiter
from portal.public import bp
from portal.public.language import make_mail_language
from portal.public.page_cache import incident_page_response
from portal.verify.session import current_person


@bp.route("/")
def incident_page():
    """What happened, what we are doing, how to check, who to contact (rendered once per version, page_cache.py)."""
    return incident_page_response()


@bp.route("/language", methods=["POST"])
def choose_language():
    """The language selector posts here (a form, so it works without JavaScript)."""
    chosen = best_language(request.form.get("language"))
    if chosen:
        session[SESSION_KEY] = chosen
        person = current_person()
        if person is not None and make_mail_language(person, chosen):
            with force_locale(babel_locale(chosen)):  # the next page is in it, and so is this line
                flash(
                    _("From now on, we will write to you in %(language)s.", language=LANGUAGE_NAMES[chosen]), "success"
                )
    # Back to the page the selector was on. The form says which (the referrer policy sends no
    # Referer); only a path on this site, or it would be an open redirect.
    target = request.form.get("next", "")
    if not target.startswith("/") or target.startswith(("//", "/\\")):
        target = url_for("public.incident_page")
    return redirect(target)


@bp.route("/healthz")
@limiter.exempt
def healthz():
    """For load balancers: the app answers and the database is reachable."""
    dao_check_database()
    return {"status": "ok"}


@bp.route("/favicon.ico")
@limiter.exempt
def favicon():
    """Browsers ask for /favicon.ico whatever a page links to; pages link static/favicon.svg too."""
    return send_from_directory(
        current_app.static_folder, "favicon.ico", mimetype="image/vnd.microsoft.icon", max_age=24 * 3600
    )

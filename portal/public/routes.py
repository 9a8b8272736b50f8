from flask import current_app, redirect, render_template, request, send_from_directory, session, url_for
from sqlalchemy import text

from portal.dao.incidents import dao_get_published_incidents
from portal.extensions import db, limiter
from portal.i18n import SESSION_KEY, best_language
from portal.public import bp
from portal.rendering import render_markdown


@bp.route("/")
def incident_page():
    """What happened, what we are doing, how to check, who to contact."""
    return render_template("public/incident.html", incidents=dao_get_published_incidents(), markdown=render_markdown)


@bp.route("/language", methods=["POST"])
def choose_language():
    """The language selector posts here (a form, so it works without JavaScript)."""
    chosen = best_language(request.form.get("language"))
    if chosen:
        session[SESSION_KEY] = chosen
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
    db.session.execute(text("SELECT 1"))
    return {"status": "ok"}


@bp.route("/favicon.ico")
@limiter.exempt
def favicon():
    """Browsers ask for /favicon.ico whatever a page links to; pages link static/favicon.svg too."""
    return send_from_directory(
        current_app.static_folder, "favicon.ico", mimetype="image/vnd.microsoft.icon", max_age=24 * 3600
    )

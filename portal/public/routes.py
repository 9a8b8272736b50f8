from flask import redirect, render_template, request, session, url_for
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
    target = request.referrer or ""
    # Only go back to a page of ours; anything else would be an open redirect.
    if not target.startswith(request.host_url):
        target = url_for("public.incident_page")
    return redirect(target)


@bp.route("/healthz")
@limiter.exempt
def healthz():
    """For load balancers: the app answers and the database is reachable."""
    db.session.execute(text("SELECT 1"))
    return {"status": "ok"}

"""The contractor's update pages, and the unsubscribe link from update emails (no sign-in needed)."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from portal.core.rendering import render_markdown
from portal.dao.exposures import dao_person_has_exposure
from portal.dao.incidents import dao_get_incident
from portal.dao.updates import (
    dao_get_incident_updates,
)
from portal.extensions import csrf
from portal.updates import bp
from portal.updates.forms import ConfirmForm
from portal.updates.service import active_subscription, end_subscription, subscribe, subscription_for_token
from portal.verify.session import contractor_required


@bp.app_context_processor
def incident_updates_context():
    """For the public incident page: ``incident_updates(incident_id)`` lists an incident's posted updates."""
    return {"incident_updates": dao_get_incident_updates, "update_markdown": render_markdown}


def _incident_of(person, incident_id):
    incident = dao_get_incident(incident_id)
    if incident is None or not dao_person_has_exposure(person.id, incident_id):
        abort(404)
    return incident


@bp.route("/my/updates/<int:incident_id>")
@contractor_required
def updates_page(person, incident_id):
    """Whether the person gets update emails about this incident, with the button to start or stop them."""
    incident = _incident_of(person, incident_id)
    return render_template(
        "updates/subscription.html",
        incident=incident,
        person=person,
        form=ConfirmForm(),
        subscribed=active_subscription(person, incident) is not None,
    )


@bp.route("/my/updates/<int:incident_id>/subscribe", methods=["POST"])
@contractor_required
def updates_subscribe(person, incident_id):
    """Start update emails (a confirmation with the unsubscribe link is sent at once)."""
    incident = _incident_of(person, incident_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if not person.email:
        abort(400)
    subscribe(person, incident)
    flash(_("You will get updates about this incident by email."), "success")
    return redirect(url_for("updates.updates_page", incident_id=incident_id))


@bp.route("/my/updates/<int:incident_id>/stop", methods=["POST"])
@contractor_required
def updates_stop(person, incident_id):
    """Stop update emails while signed in."""
    incident = _incident_of(person, incident_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    subscription = active_subscription(person, incident)
    if subscription is not None:
        end_subscription(subscription)
    flash(_("You will not get any more updates about this incident."), "success")
    return redirect(url_for("updates.updates_page", incident_id=incident_id))


@bp.route("/updates/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt  # the token in the URL is the credential; it also lets mail clients do RFC 8058 one-click POSTs
def unsubscribe(token):
    """The link in every update email. GET only asks (mail scanners fetch links); POST unsubscribes."""
    found = subscription_for_token(token)
    if found is None:
        return render_template("updates/unsubscribe_invalid.html"), 404
    subscription, incident = found
    if request.method == "POST":
        end_subscription(subscription)
        return render_template("updates/unsubscribed.html", incident=incident)
    return render_template("updates/unsubscribe.html", incident=incident, token=token)

"""The contractor's monitoring pages: products on offer, check answers and consent, their code."""

from flask import abort, redirect, render_template, request, url_for

from portal.monitoring import bp
from portal.monitoring.forms import ConsentForm
from portal.monitoring.service import (
    EnrollmentRefused,
    enroll,
    enrollment_is_open,
    get_offer,
    monitoring_overview_for_incident_id,
)
from portal.verify.session import contractor_required


@bp.after_request
def no_store(response):
    """These pages show activation codes: no browser or proxy cache may keep a copy."""
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/my/monitoring/<int:incident_id>")
@contractor_required
def monitoring_products(person, incident_id):
    """The monitoring products this person may enroll in for one incident, and any they have."""
    overview = monitoring_overview_for_incident_id(person, incident_id)
    if overview is None:
        abort(404)
    return render_template("monitoring/products.html", overview=overview, person=person)


@bp.route("/my/monitoring/product/<int:product_id>", methods=["GET", "POST"])
@contractor_required
def monitoring_confirm(person, product_id):
    """Check your answers, then consent: the page before an activation code is given out."""
    found = get_offer(person, product_id)
    if found is None:
        abort(404)
    offer, incident = found
    if offer.enrollment is not None:
        return redirect(url_for("monitoring.monitoring_code", product_id=product_id))
    if not enrollment_is_open(incident):
        return _closed(incident)
    form = ConsentForm()
    if form.validate_on_submit():
        try:
            enroll(person, offer.product, request.remote_addr or "")
        except EnrollmentRefused as refused:
            if refused.reason == "closed":
                return _closed(incident)
            abort(404)
        return redirect(url_for("monitoring.monitoring_code", product_id=product_id))
    return render_template(
        "monitoring/confirm.html", form=form, offer=offer, incident=incident, person=person
    ), 400 if form.errors else 200


def _closed(incident):
    status = 403 if request.method == "POST" else 200
    return render_template("monitoring/closed.html", incident=incident), status


@bp.route("/my/monitoring/product/<int:product_id>/code")
@contractor_required
def monitoring_code(person, product_id):
    """The person's activation code, the provider's link and the enroll-by date, or their waiting-list place."""
    found = get_offer(person, product_id)
    if found is None:
        abort(404)
    offer, incident = found
    if offer.enrollment is None:
        return redirect(url_for("monitoring.monitoring_confirm", product_id=product_id))
    return render_template("monitoring/code.html", offer=offer, incident=incident, person=person)

"""The incident team's monitoring pages: products per incident, pools and their warnings, code imports."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from portal.constants import ROLES_MANAGING_MONITORING
from portal.dao.incidents import dao_get_all_incidents, dao_get_incident
from portal.dao.monitoring import (
    dao_get_product,
)
from portal.monitoring import bp
from portal.monitoring.codes import CodeImportRejected, import_activation_codes
from portal.monitoring.forms import CodesUploadForm, EditProductForm, ProductForm
from portal.monitoring.products import ProductError, create_product, product_pool, products_overview, update_product
from portal.staff.auth import role_required
from portal.web.request_limits import STAFF_UPLOAD, body_limit


def _show_problems(form, error: ProductError) -> None:
    for name, message in error.problems.items():
        form[name].errors.append(message)


@bp.route("/staff/monitoring/")
@role_required(*ROLES_MANAGING_MONITORING)
def admin_products():
    """Every incident's monitoring products with their code pools; warnings for low or empty pools."""
    return render_template("monitoring/admin_products.html", overview=products_overview())


@bp.route("/staff/monitoring/new", methods=["GET", "POST"])
@role_required(*ROLES_MANAGING_MONITORING)
def admin_product_new():
    """Offer a monitoring product for an incident."""
    incidents = dao_get_all_incidents()
    form = ProductForm(incident_id=request.args.get("incident_id", type=int))
    form.incident_id.choices = [(incident.id, incident.title) for incident in incidents]
    if form.validate_on_submit():
        try:
            product = create_product(dao_get_incident(form.incident_id.data), form.product_values())
        except ProductError as error:
            _show_problems(form, error)
        else:
            flash(_("Product %(name)s added. Now import its activation codes.", name=product.name), "success")
            return redirect(url_for("monitoring.admin_codes", product_id=product.id))
    status = 400 if form.errors else 200
    return render_template("monitoring/admin_product_form.html", form=form, product=None), status


@bp.route("/staff/monitoring/<int:product_id>/edit", methods=["GET", "POST"])
@role_required(*ROLES_MANAGING_MONITORING)
def admin_product_edit(product_id):
    """Change a product's details, eligibility, threshold, or whether it is offered."""
    product = dao_get_product(product_id)
    if product is None:
        abort(404)
    form = EditProductForm(obj=product)
    if form.validate_on_submit():
        try:
            changed = update_product(product, form.product_values())
        except ProductError as error:
            _show_problems(form, error)
        else:
            flash(_("Product saved.") if changed else _("Nothing was changed."), "success")
            return redirect(url_for("monitoring.admin_products"))
    status = 400 if form.errors else 200
    return render_template(
        "monitoring/admin_product_form.html", form=form, product=product, incident=dao_get_incident(product.incident_id)
    ), status


@bp.route("/staff/monitoring/<int:product_id>/codes", methods=["GET", "POST"])
@body_limit(STAFF_UPLOAD)
@role_required(*ROLES_MANAGING_MONITORING)
def admin_codes(product_id):
    """Upload a provider's activation codes (CSV); all or nothing, then the waiting list is served."""
    product = dao_get_product(product_id)
    if product is None:
        abort(404)
    form = CodesUploadForm()
    if form.validate_on_submit():
        upload = form.codes_file.data
        try:
            report = import_activation_codes(product, upload.read(), filename=upload.filename or "")
        except CodeImportRejected as rejected:
            form.codes_file.errors = [*rejected.errors]
            if rejected.error_count > len(rejected.errors):
                form.codes_file.errors.append(
                    ngettext(
                        "… and %(num)d more problem.",
                        "… and %(num)d more problems.",
                        rejected.error_count - len(rejected.errors),
                    )
                )
        else:
            flash(
                ngettext(
                    "Imported %(num)d code. People served from the waiting list: %(served)d.",
                    "Imported %(num)d codes. People served from the waiting list: %(served)d.",
                    report.added,
                    served=report.served,
                ),
                "success",
            )
            return redirect(url_for("monitoring.admin_products"))
    status = 400 if form.errors else 200
    return render_template(
        "monitoring/admin_codes.html",
        form=form,
        pool=product_pool(product),
        incident=dao_get_incident(product.incident_id),
    ), status

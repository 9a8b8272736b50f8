"""The contractor's own contact details (signed in), and the link that confirms a new email address."""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from portal.trust import bp
from portal.trust.contact import (
    ADDRESS_PARTS,
    confirm_email_change,
    current_address,
    pending_change,
    request_email_change,
    update_phone_and_address,
)
from portal.trust.forms import ConfirmForm, ContactDetailsForm, EmailChangeForm
from portal.verify.session import contractor_required


def _page(person, details_form=None, email_form=None, status=200):
    address = current_address(person)
    if details_form is None:
        details_form = ContactDetailsForm(formdata=None, data={"phone": person.decrypt_field("phone") or "", **address})
    return (
        render_template(
            "trust/contact.html",
            person=person,
            details_form=details_form,
            email_form=email_form or EmailChangeForm(formdata=None),
        ),
        status,
    )


@bp.route("/my/contact")
@contractor_required
def contact_page(person):
    return _page(person)


@bp.route("/my/contact/details", methods=["POST"])
@contractor_required
def contact_details(person):
    form = ContactDetailsForm()
    if not form.validate_on_submit():
        return _page(person, details_form=form, status=400)
    address = {part: getattr(form, part).data or "" for part in ADDRESS_PARTS}
    changed = update_phone_and_address(person, form.phone.data or "", address)
    flash(
        _("Saved. Our next letters and messages will use these details.") if changed else _("Nothing changed."),
        "success",
    )
    return redirect(url_for("trust.contact_page"))


@bp.route("/my/contact/email", methods=["POST"])
@contractor_required
def contact_email(person):
    form = EmailChangeForm()
    if not form.validate_on_submit():
        return _page(person, email_form=form, status=400)
    request_email_change(person, form.email.data)
    flash(
        _("We have sent a link to %(email)s. Your email address changes when you open it.", email=form.email.data),
        "success",
    )
    return redirect(url_for("trust.contact_page"))


@bp.route("/contact/confirm/<token>", methods=["GET", "POST"])
def confirm_email(token):
    """A button, not the link itself: mail scanners open links, and must not confirm anything."""
    if len(token) > 100:
        abort(404)
    form = ConfirmForm()
    if form.validate_on_submit():
        if confirm_email_change(token):
            return render_template("trust/contact_confirmed.html")
        return render_template("trust/contact_link_used.html"), 410
    if pending_change(token) is None:
        return render_template("trust/contact_link_used.html"), 410
    return render_template("trust/contact_confirm.html", form=form, token=token)

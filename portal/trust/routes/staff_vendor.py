"""Staff import page for what the letter vendor reports: notices sent outside the portal, returned letters."""

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import RadioField, SelectField

from portal.constants import ROLES_IMPORTING
from portal.dao.incidents import dao_get_all_incidents, dao_get_incident
from portal.staff.auth import role_required
from portal.trust import bp
from portal.trust.vendor_imports import VendorImportRejected, import_outside_notices, import_returned_letters
from portal.web.forms import PortalForm
from portal.web.request_limits import STAFF_UPLOAD, body_limit


class VendorImportForm(PortalForm):
    incident_id = SelectField(_l("Incident"), coerce=int)
    kind = RadioField(
        _l("What the file holds"),
        choices=[
            ("notices", _l("Notices sent outside the portal: contractor_id, channel, sent_on")),
            ("returns", _l("Returned letters: contractor_id, returned_on, reason")),
        ],
        default="notices",
    )
    file = FileField(_l("CSV file"), validators=[FileRequired(_l("Choose a CSV file"))])


@bp.route("/staff/vendor-import", methods=["GET", "POST"])
@body_limit(STAFF_UPLOAD)
@role_required(*ROLES_IMPORTING)
def vendor_import_page():
    form = VendorImportForm()
    form.incident_id.choices = [(incident.id, incident.title) for incident in dao_get_all_incidents()]
    problems = []
    if form.validate_on_submit():
        incident = dao_get_incident(form.incident_id.data)
        importer = import_outside_notices if form.kind.data == "notices" else import_returned_letters
        try:
            report = importer(incident, form.file.data.read())
        except VendorImportRejected as rejected:
            problems = rejected.problems[:200]
        else:
            flash(_("Imported: %(rows)d rows read, %(added)d new.", rows=report.rows, added=report.added), "success")
            return redirect(url_for("trust.vendor_import_page"))
    status = 400 if (problems or form.errors) else 200
    return render_template("trust/staff_vendor_import.html", form=form, problems=problems), status

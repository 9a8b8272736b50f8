"""The staff page for importing the register: upload, import, show the counts or every problem."""

import tempfile
from pathlib import Path

from flask import render_template

from portal.constants import ROLES_IMPORTING
from portal.dao.incidents import dao_get_all_incidents, dao_get_incident
from portal.imports import bp
from portal.imports.forms import ImportRegisterForm
from portal.imports.service import ImportRejected, import_register
from portal.models import Incident
from portal.staff.auth import role_required
from portal.web.request_limits import STAFF_UPLOAD, body_limit

PEOPLE_NAME, EXPOSURES_NAME = "people.csv", "exposures.csv"


@bp.route("/", methods=["GET", "POST"])
@body_limit(STAFF_UPLOAD)
@role_required(*ROLES_IMPORTING)
def import_page():
    """Upload people.csv and/or exposures.csv for an incident and import them, all or nothing."""
    form = ImportRegisterForm()
    incidents = dao_get_all_incidents()
    form.incident_id.choices = [(incident.id, f"{incident.title} ({incident.slug})") for incident in incidents]
    slugs = [incident.slug for incident in incidents]
    if not form.validate_on_submit():
        return render_template("imports/import.html", form=form, slugs=slugs), 400 if form.errors else 200
    incident = dao_get_incident(form.incident_id.data)
    try:
        report = _import_uploads(incident, form.people_file.data, form.exposures_file.data)
    except ImportRejected as rejected:
        problems = [(message, _field_for(message)) for message in rejected.errors]
        return render_template(
            "imports/import.html",
            form=form,
            slugs=slugs,
            problems=problems,
            problem_count=rejected.error_count,
            more=rejected.error_count - len(rejected.errors),
        ), 400
    return render_template("imports/imported.html", report=report, incident=incident)


def _field_for(message: str) -> str:
    """The id of the upload field a problem is about, for the error summary's link."""
    return "exposures_file" if message.startswith(EXPOSURES_NAME) else "people_file"


def _import_uploads(incident: Incident, people_upload, exposures_upload):
    """Save the uploads in a private temporary folder (never under static/) and import them from there.

    The folder and both files are deleted when the import ends, whatever the outcome. The files
    are saved as people.csv and exposures.csv so error messages name them the same way the CLI does.
    """
    with tempfile.TemporaryDirectory(prefix="portal-import-") as folder:
        people_path = exposures_path = None
        if people_upload:
            people_path = Path(folder) / PEOPLE_NAME
            people_upload.save(people_path)
        if exposures_upload:
            exposures_path = Path(folder) / EXPOSURES_NAME
            exposures_upload.save(exposures_path)
        return import_register(incident, people_path, exposures_path)

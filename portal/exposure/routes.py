from flask import render_template

from portal.exposure import bp
from portal.exposure.service import exposure_overview
from portal.verify.session import contractor_required


@bp.route("/my")
@contractor_required
def my_exposure(person):
    """The verified person's own page: one card per exposed category, most severe first."""
    return render_template("exposure/my.html", person=person, overview=exposure_overview(person))

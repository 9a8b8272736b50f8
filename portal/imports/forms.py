from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField
from wtforms import SelectField
from wtforms.validators import DataRequired

from portal.web.forms import PortalForm

CSV_ONLY = FileAllowed(["csv", "txt"], _l("The file must be a CSV file (.csv)"))


class ImportRegisterForm(PortalForm):
    """Either file may be left out (people only, or exposures for people already imported), not both.

    That is why neither field carries FileRequired: ``validate`` asks for at least one instead.
    """

    incident_id = SelectField(_l("Incident"), coerce=int, validators=[DataRequired(_l("Choose an incident"))])
    people_file = FileField(_l("People file (people.csv)"), validators=[CSV_ONLY])
    exposures_file = FileField(_l("Exposures file (exposures.csv)"), validators=[CSV_ONLY])

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if not self.people_file.data and not self.exposures_file.data:
            self.people_file.errors = [*self.people_file.errors, _l("Choose a people file, an exposures file or both")]
            return False
        return valid

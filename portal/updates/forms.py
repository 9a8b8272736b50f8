from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

from portal.web.forms import PortalForm, strip_whitespace


class ConfirmForm(PortalForm):
    """A single button (subscribe, stop, unsubscribe): only the CSRF token to check."""


class IncidentUpdateForm(PortalForm):
    incident_id = SelectField(
        _l("Incident"), coerce=int, validators=[InputRequired(_l("Choose the incident the update is about"))]
    )
    title = StringField(
        _l("Title"), filters=[strip_whitespace], validators=[DataRequired(_l("Enter a title")), Length(max=200)]
    )
    body = TextAreaField(_l("Update"), validators=[DataRequired(_l("Enter the text of the update")), Length(max=20000)])

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, IntegerField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, InputRequired, Length, NumberRange, Optional

from portal.incidents.service import EDITABLE_FIELDS, MAX_MONITORING_MONTHS, SLUG_MAX_LENGTH
from portal.web.forms import IsoDateField, PortalForm


class IncidentForm(PortalForm):
    title = StringField(_l("Title"), validators=[DataRequired(_l("Enter a title")), Length(max=200)])
    what_happened = TextAreaField(_l("What happened"), validators=[Length(max=20000)])
    what_we_are_doing = TextAreaField(_l("What we are doing"), validators=[Length(max=20000)])
    discovered_on = IsoDateField(
        _l("Date discovered"), validators=[InputRequired(_l("Enter the date the breach was discovered"))]
    )
    occurred_on = IsoDateField(_l("Date it happened (optional)"), validators=[Optional()])
    claim_deadline = IsoDateField(_l("Claim deadline (optional)"), validators=[Optional()])
    enrollment_deadline = IsoDateField(_l("Monitoring enrollment deadline (optional)"), validators=[Optional()])
    monitoring_months = IntegerField(
        _l("Months of monitoring offered"),
        default=0,
        validators=[
            InputRequired(_l("Enter the months of monitoring offered, or 0")),
            NumberRange(
                0, MAX_MONITORING_MONTHS, _l("Enter a whole number from 0 to %(max)d", max=MAX_MONITORING_MONTHS)
            ),
        ],
    )
    contact_email = EmailField(
        _l("Contact email (optional)"),
        validators=[
            Optional(),
            Email(_l("Enter an email address like help@example.org"), check_deliverability=False),
            Length(max=254),
        ],
    )
    contact_phone = StringField(_l("Contact phone (optional)"), validators=[Optional(), Length(max=64)])
    contact_hours = StringField(_l("Contact hours (optional)"), validators=[Optional(), Length(max=200)])
    published = BooleanField(_l("Show this incident on the public page"))

    def incident_values(self) -> dict:
        values = {name: self[name].data for name in EDITABLE_FIELDS}
        for name in ("what_happened", "what_we_are_doing", "contact_email", "contact_phone", "contact_hours"):
            values[name] = (values[name] or "").strip()
        return values


class NewIncidentForm(IncidentForm):
    slug = StringField(
        _l("Slug"),
        validators=[DataRequired(_l("Enter a slug")), Length(max=SLUG_MAX_LENGTH)],
    )

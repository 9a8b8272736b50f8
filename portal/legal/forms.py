"""Forms of the legal workspace: export filters, the exclusion-list export and regulator filings."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, RadioField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional, Regexp, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from portal.constants import BenefitKind, ClaimStatus, ExportFormat, FraudSignalKind
from portal.dao.claimant_exports import FRAUD_ANY, FRAUD_NONE
from portal.web.forms import IsoDateField, PortalForm, strip_whitespace

EXPORTABLE_STATUSES = [status for status in ClaimStatus if status != ClaimStatus.DRAFT]


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _incident_choices(incidents) -> list[tuple[str, str]]:
    return [(str(incident.id), f"{incident.title} ({incident.slug})") for incident in incidents]


class ClaimantExportForm(PortalForm):
    incident = SelectField(_l("Incident"), default="", validators=[Optional()])
    statuses = CheckboxesField(
        _l("Claim status"),
        choices=[(s.value, s.value.replace("_", " ")) for s in EXPORTABLE_STATUSES],
        validators=[Optional()],
    )
    benefit = SelectField(
        _l("Benefit claimed"),
        default="",
        choices=[("", _l("Any benefit"))] + [(b.value, b.value.replace("_", " ")) for b in BenefitKind],
    )
    country = StringField(
        _l("Country (2-letter code)"),
        validators=[Optional(), Regexp(r"^[A-Za-z]{2}$", message=_l("Enter a 2-letter country code, like US or KE"))],
    )
    region = StringField(
        _l("Region (ISO 3166-2)"),
        validators=[
            Optional(),
            Regexp(r"^[A-Za-z]{2}-[A-Za-z0-9]{1,3}$", message=_l("Enter a region code, like US-CA")),
        ],
    )
    fraud = SelectField(
        _l("Fraud signals"),
        default="",
        choices=[
            ("", _l("Any claim")),
            (FRAUD_ANY, _l("With any fraud signal")),
            (FRAUD_NONE, _l("With no fraud signal")),
            *[(k.value, k.value.replace("_", " ")) for k in FraudSignalKind],
        ],
    )
    submitted_from = IsoDateField(_l("Submitted on or after (YYYY-MM-DD)"), validators=[Optional()])
    submitted_to = IsoDateField(_l("Submitted on or before (YYYY-MM-DD)"), validators=[Optional()])
    file_format = RadioField(
        _l("File format"),
        choices=[(ExportFormat.CSV.value, "CSV"), (ExportFormat.XLSX.value, "Excel (XLSX)")],
        default=ExportFormat.CSV.value,
        validators=[InputRequired(_l("Choose a file format"))],
    )
    include_payment_details = BooleanField(_l("Include full payment details"))

    def set_incidents(self, incidents) -> None:
        self.incident.choices = [("", _l("All incidents")), *_incident_choices(incidents)]

    def validate_submitted_to(self, field):
        if field.data and self.submitted_from.data and field.data < self.submitted_from.data:
            raise ValidationError(_l("The end date must be on or after the start date"))


class ExclusionExportForm(PortalForm):
    incident = SelectField(_l("Incident"), default="", validators=[Optional()])
    include_withdrawn = BooleanField(_l("Include withdrawn requests"))
    file_format = RadioField(
        _l("File format"),
        choices=[(ExportFormat.CSV.value, "CSV"), (ExportFormat.XLSX.value, "Excel (XLSX)")],
        default=ExportFormat.CSV.value,
        validators=[InputRequired(_l("Choose a file format"))],
    )

    def set_incidents(self, incidents) -> None:
        self.incident.choices = [("", _l("All incidents")), *_incident_choices(incidents)]


class FilingForm(PortalForm):
    filed_on = IsoDateField(
        _l("Date it was sent (YYYY-MM-DD)"), validators=[InputRequired(_l("Enter the date it was sent"))]
    )
    reference = StringField(
        _l("Their reference (optional)"),
        filters=[strip_whitespace],
        validators=[Length(max=200, message=_l("Keep the reference under 200 characters"))],
    )
    note = TextAreaField(
        _l("Note (optional)"),
        filters=[strip_whitespace],
        validators=[Length(max=2000, message=_l("Keep the note under 2,000 characters"))],
    )

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, IntegerField, SelectField, StringField, URLField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Regexp, ValidationError

from portal.web.forms import PortalForm, strip_whitespace

MAX_MONTHS = 120


class ConsentForm(PortalForm):
    """The declaration at the foot of the check-your-answers page."""

    consent = BooleanField(
        _l("I agree to get an activation code for this product and to sign up with the provider myself."),
        validators=[DataRequired(_l("Tick the box to confirm you want an activation code"))],
    )


def _https_only(form, field):
    if field.data and not field.data.lower().startswith("https://"):
        raise ValidationError(_l("Enter an address that starts with https://"))


class ProductForm(PortalForm):
    incident_id = SelectField(
        _l("Incident"), coerce=int, validators=[InputRequired(_l("Choose the incident the product is for"))]
    )
    name = StringField(
        _l("Product name"),
        filters=[strip_whitespace],
        validators=[DataRequired(_l("Enter the product name")), Length(max=200)],
    )
    provider = StringField(
        _l("Provider"),
        filters=[strip_whitespace],
        validators=[DataRequired(_l("Enter the provider's name")), Length(max=200)],
    )
    months = IntegerField(
        _l("Months of monitoring"),
        validators=[
            InputRequired(_l("Enter how many months of monitoring the product gives")),
            NumberRange(1, MAX_MONTHS, _l("Enter a whole number from 1 to %(max)d", max=MAX_MONTHS)),
        ],
    )
    countries = StringField(
        _l("Countries where it is offered (optional)"), filters=[strip_whitespace], validators=[Length(max=2000)]
    )
    requires_us_credit_file = BooleanField(_l("Needs a US credit file (US residents with a national id exposed)"))
    enrollment_url = URLField(
        _l("Enrollment address"),
        filters=[strip_whitespace],
        validators=[
            DataRequired(_l("Enter the provider's enrollment address")),
            Length(max=500),
            Regexp(r"^\S+$", message=_l("Enter an address without spaces")),
            _https_only,
        ],
    )
    low_pool_threshold = IntegerField(
        _l("Warn when fewer codes than this are left"),
        default=100,
        validators=[
            InputRequired(_l("Enter the number of codes left that should trigger a warning")),
            NumberRange(0, 10_000_000, _l("Enter a whole number, 0 or more")),
        ],
    )
    active = BooleanField(_l("Offer this product to contractors"), default=True)

    def product_values(self) -> dict:
        return {
            name: self[name].data
            for name in (
                "name",
                "provider",
                "months",
                "countries",
                "requires_us_credit_file",
                "enrollment_url",
                "low_pool_threshold",
                "active",
            )
        }


class EditProductForm(ProductForm):
    incident_id = None  # a product's pool and enrollments belong to its incident: it cannot move


class CodesUploadForm(PortalForm):
    codes_file = FileField(
        _l("Activation codes file (CSV)"), validators=[FileRequired(_l("Choose a CSV file of activation codes"))]
    )

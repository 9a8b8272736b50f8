from flask_babel import lazy_gettext as _l
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Length

from portal.forms import IsoDateField, PortalForm


class SignInForm(PortalForm):
    email = EmailField(_l("Email address"), validators=[DataRequired(_l("Enter your email address")), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Enter your password")), Length(max=1024)])


class SignInCodeForm(PortalForm):
    code = StringField(
        _l("Security code"),
        validators=[DataRequired(_l("Enter the 6-digit code from your authenticator app")), Length(max=12)],
    )


class PeopleSearchForm(PortalForm):
    term = StringField(
        _l("Contractor ID or email address"),
        validators=[
            DataRequired(_l("Enter a contractor ID or an email address")),
            Length(max=254, message=_l("Enter at most 254 characters")),
        ],
    )


class CallerBirthDateForm(PortalForm):
    """Support confirm what a caller says; they never read the date itself."""

    date_of_birth = IsoDateField(
        _l("The caller's date of birth"), validators=[DataRequired(_l("Enter the date of birth the caller gives"))]
    )

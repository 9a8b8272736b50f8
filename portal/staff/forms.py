from flask_babel import lazy_gettext as _l
from wtforms import EmailField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, EqualTo, Length, Optional

from portal.web.forms import IsoDateField, PortalForm, strip_whitespace


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


class ResendReasonForm(PortalForm):
    """Why support send a notice again, outside the two-admin batch flow: required, and audited."""

    reason = TextAreaField(
        _l("Why are you sending it again?"),
        filters=[strip_whitespace],
        validators=[
            DataRequired(_l("Enter why you are sending the notice again")),
            Length(max=500, message=_l("Keep the reason under 500 characters")),
        ],
    )


class AuditFilterForm(PortalForm):
    """The audit page's filters, read from the query string; it changes nothing, so no CSRF token.
    Everything here is an account, an action or an id, never personal data."""

    class Meta:
        csrf = False

    actor = SelectField(_l("Who"), choices=[], validate_choice=False)
    action = SelectField(_l("Action"), choices=[], validate_choice=False)
    target_type = SelectField(_l("About (type)"), choices=[], validate_choice=False)
    target_id = StringField(_l("About (id)"), filters=[strip_whitespace], validators=[Optional(), Length(max=100)])
    date_from = IsoDateField(_l("From (YYYY-MM-DD)"), validators=[Optional()])
    date_to = IsoDateField(_l("To, inclusive (YYYY-MM-DD)"), validators=[Optional()])


class AuditExportForm(AuditFilterForm):
    """The same filters posted with a token: an export writes its own audit event."""

    class Meta:
        csrf = True


class InviteForm(PortalForm):
    email = EmailField(
        _l("Their work email address"), validators=[DataRequired(_l("Enter an email address")), Length(max=254)]
    )
    role = SelectField(_l("Role"), choices=[], validators=[DataRequired(_l("Choose a role"))])


class RoleForm(PortalForm):
    role = SelectField(_l("New role"), choices=[], validators=[DataRequired(_l("Choose a role"))])


class AccountActionForm(PortalForm):
    """Deactivate, reset an authenticator: a button with its CSRF token."""


class EnrolForm(PortalForm):
    password = PasswordField(
        _l("Choose a password (at least 12 characters)"),
        validators=[
            DataRequired(_l("Choose a password")),
            Length(min=12, max=1024, message=_l("Use at least 12 characters")),
        ],
    )
    password_again = PasswordField(
        _l("The same password again"),
        validators=[DataRequired(_l("Type the password again")), EqualTo("password", _l("The two passwords differ"))],
    )
    code = StringField(
        _l("The 6-digit code your authenticator app now shows"),
        validators=[DataRequired(_l("Enter the 6-digit code from your authenticator app")), Length(max=12)],
    )

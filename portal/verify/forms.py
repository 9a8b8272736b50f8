from flask_babel import lazy_gettext as _l
from wtforms import EmailField, StringField
from wtforms.validators import DataRequired, Email, Length

from portal.web.forms import DateInputField, PortalForm, strip_whitespace


class CheckForm(PortalForm):
    notice_code = StringField(
        _l("Notice code"),
        validators=[
            DataRequired(_l("Enter the notice code from your letter or email")),
            Length(max=40, message=_l("A notice code is 12 letters and numbers")),
        ],
    )
    last_name = StringField(
        _l("Last name"),
        filters=[strip_whitespace],
        validators=[DataRequired(_l("Enter your last name")), Length(max=200)],
    )
    # Day, month and year boxes; the verify service still gets one date.
    date_of_birth = DateInputField(
        _l("Date of birth"), required_message=_l("Enter your date of birth"), must_be_past=True
    )


class LostCodeForm(PortalForm):
    email = EmailField(
        _l("Email address"),
        filters=[strip_whitespace],
        validators=[
            DataRequired(_l("Enter your email address")),
            Email(message=_l("Enter an email address like name@example.com"), check_deliverability=False),
            Length(max=254),
        ],
    )

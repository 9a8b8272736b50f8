from flask_babel import lazy_gettext as _l
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from portal.web.forms import PortalForm, strip_whitespace

REASON_MAX = 2000


class ExclusionForm(PortalForm):
    reason = TextAreaField(
        _l("Why do you want to be excluded? (optional)"),
        filters=[strip_whitespace],
        validators=[Length(max=REASON_MAX, message=_l("Enter at most %(max)d characters", max=REASON_MAX))],
    )
    typed_name = StringField(
        _l("Your full name"),
        filters=[strip_whitespace],
        validators=[
            DataRequired(_l("Type your full name to sign your request")),
            Length(max=200, message=_l("Enter at most 200 characters")),
        ],
    )


class ConfirmForm(PortalForm):
    """Only the CSRF token: the answers come from the session, shown on the check page."""

"""Legal's forms: the queue filter (a GET search, so no token), and the decisions (POST, CSRF-checked)."""

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from portal.web.forms import PortalForm, strip_whitespace


class QueueFilterForm(PortalForm):
    """Reads the query string; it changes nothing, so it carries no CSRF token."""

    class Meta:
        csrf = False

    status = SelectField(_l("Status"), choices=[], validate_choice=False)
    incident = SelectField(_l("Incident"), choices=[], validate_choice=False)
    signal = SelectField(_l("Fraud signal"), choices=[], validate_choice=False)
    reference = StringField(_l("Claim reference"), filters=[strip_whitespace], validators=[Optional(), Length(max=20)])


class DecisionForm(PortalForm):
    """Approve, mark paid: a button with its CSRF token."""


class FlaggedApprovalForm(PortalForm):
    reason = TextAreaField(
        _l("Why approve despite these signals"),
        filters=[strip_whitespace],
        validators=[
            DataRequired(_l("Type why you approve this claim despite its fraud signals")),
            Length(max=2000, message=_l("Write 2,000 characters or fewer")),
        ],
    )


class DenyForm(PortalForm):
    reason = TextAreaField(
        _l("Reason for the decision"),
        filters=[strip_whitespace],
        validators=[
            DataRequired(_l("Enter the reason. The claimant will read it")),
            Length(max=5000, message=_l("Write 5,000 characters or fewer")),
        ],
    )


class InfoRequestForm(PortalForm):
    request_text = TextAreaField(
        _l("What do you need from the claimant?"),
        filters=[strip_whitespace],
        validators=[
            DataRequired(_l("Say what information or proof the claimant must send")),
            Length(max=5000, message=_l("Write 5,000 characters or fewer")),
        ],
    )

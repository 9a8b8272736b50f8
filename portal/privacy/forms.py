from flask_babel import lazy_gettext as _l
from wtforms import RadioField, SelectField, TextAreaField
from wtforms.validators import DataRequired, Length, ValidationError

from portal.constants import DataRequestKind
from portal.web.forms import PortalForm, strip_whitespace

KIND_LABELS = {
    DataRequestKind.ACCESS: _l("A copy of all the information you hold about me"),
    DataRequestKind.CORRECTION: _l("Correct information about me that is wrong"),
    DataRequestKind.ERASURE: _l("Delete my information"),
}


class DataRequestForm(PortalForm):
    # Radios, not a select: a closed select shows one line, which cut the longer languages' labels
    # short on a phone (Hindi at 360 px); radio labels wrap.
    kind = RadioField(
        _l("What are you asking for?"),
        choices=[],
        validators=[DataRequired(_l("Choose what you are asking for"))],
    )
    details = TextAreaField(
        _l("What is wrong, and what should it say? (only for a correction)"),
        filters=[strip_whitespace],
        validators=[Length(max=2000, message=_l("Write 2,000 characters or fewer"))],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = [(str(kind), label) for kind, label in KIND_LABELS.items()]

    def validate_details(self, field):
        if self.kind.data == DataRequestKind.CORRECTION and not field.data:
            raise ValidationError(_l("Say what is wrong and what it should say"))


class DecideDataRequestForm(PortalForm):
    decision = SelectField(
        _l("Decision"),
        choices=[],
        validators=[DataRequired(_l("Choose a decision"))],
    )
    reason = TextAreaField(
        _l("Reason for the decision"),
        filters=[strip_whitespace],
        validators=[
            DataRequired(_l("Enter the reason. It is kept with the request")),
            Length(max=5000, message=_l("Write 5,000 characters or fewer")),
        ],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.decision.choices = [("grant", _l("Grant the request")), ("refuse", _l("Refuse the request"))]


class LegalHoldForm(PortalForm):
    reason = TextAreaField(
        _l("Why the data must be kept (the case or inquiry)"),
        filters=[strip_whitespace],
        validators=[Length(max=2000, message=_l("Write 2,000 characters or fewer"))],
    )

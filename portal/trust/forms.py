from flask_babel import lazy_gettext as _l
from wtforms import RadioField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from portal.forms import DateInputField, PortalForm, strip_whitespace
from portal.trust.constants import REPORT_TEXT_MAX, ReportChannel


class SenderCheckForm(PortalForm):
    sender = StringField(
        _l("Sender address, link or phone number"),
        filters=[strip_whitespace],
        validators=[
            DataRequired(_l("Paste or type the sender's address, the link or the phone number")),
            Length(max=500, message=_l("That is too long to be an address, a link or a phone number")),
        ],
    )


class CodeCheckForm(PortalForm):
    notice_code = StringField(
        _l("Notice code"),
        filters=[strip_whitespace],
        validators=[
            DataRequired(_l("Type the notice code from the message")),
            Length(max=40, message=_l("A notice code is 12 letters and numbers")),
        ],
    )


class OptionalDateInputField(DateInputField):
    """Day, Month and Year boxes that may all be left empty."""

    def pre_validate(self, form):
        if self.data is None and not any(self.parts.values()):
            return
        super().pre_validate(form)


class ReportForm(PortalForm):
    channel = RadioField(
        _l("How did the message arrive?"),
        choices=[
            (ReportChannel.EMAIL.value, _l("Email")),
            (ReportChannel.SMS.value, _l("Text message or chat app")),
            (ReportChannel.PHONE_CALL.value, _l("Phone call")),
            (ReportChannel.LETTER.value, _l("Letter")),
            (ReportChannel.OTHER.value, _l("Another way")),
        ],
        validators=[DataRequired(_l("Choose how the message arrived"))],
    )
    sender = StringField(
        _l("Who was it from?"),
        filters=[strip_whitespace],
        validators=[
            DataRequired(_l("Type the sender's address, phone number or name, as the message showed it")),
            Length(max=300, message=_l("Keep this under 300 characters")),
        ],
    )
    received_on = OptionalDateInputField(
        _l("When did it arrive?"), required_message=_l("Enter the date it arrived"), must_be_past=False
    )
    text = TextAreaField(
        _l("What did it say?"),
        filters=[strip_whitespace],
        validators=[
            Optional(),
            Length(max=REPORT_TEXT_MAX, message=_l("Keep this under %(max)d characters", max=REPORT_TEXT_MAX)),
        ],
    )

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, EmailField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional, Regexp, ValidationError

from portal.trust.constants import REPORT_TEXT_MAX, ReportChannel
from portal.web.forms import DateInputField, PortalForm, strip_whitespace


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


def _help_lines_readable(form, field):
    from portal.trust.organisation import help_line_problems

    if problems := help_line_problems(field.data or ""):
        raise ValidationError(
            _l(
                "Line %(lines)s: write each phone as country | number | hours, for example KE | +254 20 000 0000 | "
                "Mon-Fri 8-18 (leave the country empty for everyone else)",
                lines=", ".join(problems),
            )
        )


def _addresses_readable(form, field):
    from portal.trust.organisation import split_lines

    bad = [entry for entry in split_lines(field.data or "") if entry.count("@") != 1 or " " in entry]
    if bad:
        raise ValidationError(_l("Not an email address: %(entry)s", entry=bad[0][:100]))


def _domains_readable(form, field):
    from portal.trust.organisation import split_lines

    bad = [entry for entry in split_lines(field.data or "") if "@" in entry or " " in entry or "." not in entry]
    if bad:
        raise ValidationError(
            _l("Not a domain: %(entry)s. Write one domain a line, like example.org", entry=bad[0][:100])
        )


class OrganisationForm(PortalForm):
    legal_name = StringField(
        _l("Legal name"),
        filters=[strip_whitespace],
        validators=[DataRequired(_l("Enter the legal name")), Length(max=200)],
    )
    sender_addresses = TextAreaField(
        _l("Official sender addresses"), validators=[Length(max=5000), _addresses_readable]
    )
    sender_domains = TextAreaField(_l("Official domains"), validators=[Length(max=5000), _domains_readable])
    phone_lines = TextAreaField(_l("Help desk phone numbers"), validators=[Length(max=5000), _help_lines_readable])
    postal_address = TextAreaField(_l("Postal address letters come from"), validators=[Length(max=1000)])
    claims_administrator = StringField(
        _l("Claims administrator"), filters=[strip_whitespace], validators=[Length(max=200)]
    )


def country_choices() -> list[tuple[str, str]]:
    """Every country by name in the page's language, for the help-desk phones to show."""
    from flask_babel import get_locale

    from portal.core.i18n import country_name

    locale = get_locale()
    codes = sorted(code for code in (locale.territories if locale else {}) if len(code) == 2 and code.isalpha())
    named = sorted(((code, country_name(code)) for code in codes), key=lambda pair: pair[1])
    return [("", _l("Choose your country")), *named]


class LetterByPostForm(PortalForm):
    first_name = StringField(
        _l("First name"),
        filters=[strip_whitespace],
        validators=[DataRequired(_l("Enter your first name")), Length(max=200)],
    )
    last_name = StringField(
        _l("Last name"),
        filters=[strip_whitespace],
        validators=[DataRequired(_l("Enter your last name")), Length(max=200)],
    )
    date_of_birth = DateInputField(
        _l("Date of birth"), required_message=_l("Enter your date of birth"), must_be_past=True
    )
    postal_code = StringField(
        _l("Postal code"),
        filters=[strip_whitespace],
        validators=[DataRequired(_l("Enter the postal code of the address we have for you")), Length(max=20)],
    )
    country = SelectField(_l("Country"), validators=[DataRequired(_l("Choose your country"))])


class QueueLetterForm(PortalForm):
    contractor_id = StringField(
        _l("Contractor ID"),
        filters=[strip_whitespace],
        validators=[DataRequired(_l("Enter the caller's contractor ID")), Length(max=64)],
    )
    identity_checked = BooleanField(
        _l("I checked the caller's identity (name, date of birth and postal address)"),
        validators=[DataRequired(_l("Check the caller's identity first, then tick the box"))],
    )


class ConfirmForm(PortalForm):
    """A single button: only the CSRF token to check."""


class ContactDetailsForm(PortalForm):
    phone = StringField(
        _l("Phone number"),
        filters=[strip_whitespace],
        validators=[
            Optional(),
            Length(max=40),
            Regexp(r"^\+?[\d\s().\-]{6,40}$", message=_l("Enter a phone number, like +254 700 000 000")),
        ],
    )
    line1 = StringField(
        _l("Address line 1"),
        filters=[strip_whitespace],
        validators=[DataRequired(_l("Enter the first line of your address")), Length(max=200)],
    )
    line2 = StringField(
        _l("Address line 2 (optional)"), filters=[strip_whitespace], validators=[Optional(), Length(max=200)]
    )
    city = StringField(
        _l("Town or city"),
        filters=[strip_whitespace],
        validators=[DataRequired(_l("Enter your town or city")), Length(max=100)],
    )
    postal_code = StringField(_l("Postal code"), filters=[strip_whitespace], validators=[Optional(), Length(max=20)])


class EmailChangeForm(PortalForm):
    email = EmailField(
        _l("New email address"),
        filters=[strip_whitespace],
        validators=[
            DataRequired(_l("Enter your new email address")),
            Email(message=_l("Enter an email address like name@example.com"), check_deliverability=False),
            Length(max=254),
        ],
    )


class LogoForm(PortalForm):
    logo = FileField(_l("Logo (PNG or JPEG)"), validators=[FileRequired(_l("Choose a PNG or JPEG file"))])

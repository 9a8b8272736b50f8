"""The claimant's forms, one topic each. Messages follow GOV.UK: say what to do, not what went wrong."""

import re

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    EmailField,
    MultipleFileField,
    RadioField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, InputRequired, Length, Optional, ValidationError

from portal.claims.money import AmountError, parse_hours, parse_money
from portal.claims.payment import FIELD_LABELS, compact_account, digits_only
from portal.constants import PaymentMethod
from portal.web.forms import DateInputField, PortalForm, strip_whitespace

_SWIFT = re.compile(r"[A-Z]{6}[A-Z0-9]{2}([A-Z0-9]{3})?")
_IBAN_START = re.compile(r"[A-Z]{2}\d{2}")


class ActionForm(PortalForm):
    """A button that changes something (start, remove): nothing but its CSRF token."""


class BenefitsForm(PortalForm):
    benefits = SelectMultipleField(_l("What do you want to claim?"), choices=[], validate_choice=False)


class LossForm(PortalForm):
    amount = StringField(
        _l("Amount"),
        filters=[strip_whitespace],
        validators=[DataRequired(_l("Enter the amount you lost")), Length(max=30)],
    )
    incurred_on = DateInputField(_l("Date of the loss"), required_message=_l("Enter the date of the loss"))
    description = TextAreaField(
        _l("What was the loss?"),
        filters=[strip_whitespace],
        validators=[
            DataRequired(_l("Describe the loss")),
            Length(max=2000, message=_l("Describe the loss in 2,000 characters or fewer")),
        ],
    )
    proof = MultipleFileField(_l("Proof of the loss"))

    def validate_amount(self, field):
        try:
            self.amount_cents = parse_money(field.data)
        except AmountError as exc:
            raise ValidationError(_l("Enter the amount as a number, like 125.50")) from exc


class LostTimeForm(PortalForm):
    hours = StringField(
        _l("Hours spent"),
        filters=[strip_whitespace],
        validators=[DataRequired(_l("Enter the number of hours you spent")), Length(max=10)],
    )
    description = TextAreaField(
        _l("What did you spend the time on?"),
        filters=[strip_whitespace],
        validators=[
            DataRequired(_l("Say what you spent the time on")),
            Length(max=2000, message=_l("Say what you spent the time on in 2,000 characters or fewer")),
        ],
    )
    documents = MultipleFileField(_l("Documents showing the time you spent (optional)"))

    def validate_hours(self, field):
        try:
            self.hours_value = parse_hours(field.data)
        except AmountError as exc:
            raise ValidationError(_l("Enter the hours as a number, like 3 or 2.5")) from exc


class PaymentMethodForm(PortalForm):
    method = RadioField(
        _l("How do you want to be paid?"), choices=[], validators=[InputRequired(_l("Select how you want to be paid"))]
    )


class BankTransferForm(PortalForm):
    account_holder = StringField(
        FIELD_LABELS["account_holder"],
        filters=[strip_whitespace],
        validators=[DataRequired(_l("Enter the name of the account holder")), Length(max=200)],
    )
    account_number = StringField(
        FIELD_LABELS["account_number"],
        filters=[strip_whitespace],
        validators=[DataRequired(_l("Enter the IBAN or account number")), Length(max=64)],
    )
    bank_name = StringField(
        FIELD_LABELS["bank_name"],
        filters=[strip_whitespace],
        validators=[DataRequired(_l("Enter the name of the bank")), Length(max=200)],
    )
    swift_bic = StringField(
        FIELD_LABELS["swift_bic"], filters=[strip_whitespace], validators=[Optional(), Length(max=20)]
    )

    def validate_account_number(self, field):
        account = compact_account(field.data)
        if not re.fullmatch(r"[A-Z0-9]{4,34}", account):
            raise ValidationError(_l("Enter an account number of 4 to 34 letters and numbers"))
        if _IBAN_START.match(account) and not iban_is_valid(account):
            raise ValidationError(_l("Enter a valid IBAN. Check it against your bank statement"))

    def validate_swift_bic(self, field):
        if field.data and not _SWIFT.fullmatch(compact_account(field.data)):
            raise ValidationError(_l("Enter a SWIFT or BIC code of 8 or 11 letters and numbers, like DEUTDEFF"))


class PaypalForm(PortalForm):
    paypal_email = EmailField(
        FIELD_LABELS["paypal_email"],
        filters=[strip_whitespace],
        validators=[
            DataRequired(_l("Enter the email address of your PayPal account")),
            Email(_l("Enter an email address like name@example.com"), check_deliverability=False),
            Length(max=254),
        ],
    )


class MobileMoneyForm(PortalForm):
    provider = StringField(
        FIELD_LABELS["provider"],
        filters=[strip_whitespace],
        validators=[DataRequired(_l("Enter the name of your mobile money provider")), Length(max=100)],
    )
    phone_number = StringField(
        FIELD_LABELS["phone_number"],
        filters=[strip_whitespace],
        validators=[DataRequired(_l("Enter the phone number of the account")), Length(max=30)],
    )

    def validate_phone_number(self, field):
        if not 7 <= len(digits_only(field.data)) <= 15:
            raise ValidationError(_l("Enter the phone number with its country code, like +254 712 345 678"))


DETAILS_FORMS = {
    PaymentMethod.BANK_TRANSFER: BankTransferForm,
    PaymentMethod.PAYPAL: PaypalForm,
    PaymentMethod.MOBILE_MONEY: MobileMoneyForm,
}


def iban_is_valid(iban: str) -> bool:
    """ISO 13616 check digits: move the first four characters to the end, letters to numbers, mod 97."""
    rearranged = iban[4:] + iban[:4]
    digits = "".join(str(int(ch, 36)) for ch in rearranged)
    return len(iban) >= 15 and int(digits) % 97 == 1


class DeclarationForm(PortalForm):
    full_name = StringField(
        _l("Your full name"),
        filters=[strip_whitespace],
        validators=[DataRequired(_l("Enter your full name")), Length(max=200)],
    )
    confirm = BooleanField(
        _l("I confirm that the information I have given is true and complete"),
        validators=[DataRequired(_l("Confirm that the information you have given is true"))],
    )


class AppealForm(PortalForm):
    statement = TextAreaField(
        _l("Why should the decision be changed?"),
        filters=[strip_whitespace],
        validators=[
            DataRequired(_l("Say why the decision should be changed")),
            Length(max=5000, message=_l("Write 5,000 characters or fewer")),
        ],
    )


class AnswerForm(PortalForm):
    answer = TextAreaField(
        _l("Your answer"),
        filters=[strip_whitespace],
        validators=[
            DataRequired(_l("Write your answer to our request")),
            Length(max=5000, message=_l("Write 5,000 characters or fewer")),
        ],
    )
    documents = MultipleFileField(_l("Documents (optional)"))

"""The incident team's claim settings: what an incident's claims process offers (docs/claims.md)."""

import re

from babel.numbers import list_currencies
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, IntegerField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, InputRequired, NumberRange, ValidationError

from portal.audit.chain import record_audit
from portal.claims.money import AmountError, cents_to_text, parse_money
from portal.claims.payment import PAYMENT_METHOD_LABELS
from portal.constants import AuditAction, PaymentMethod
from portal.extensions import db
from portal.models import ClaimSettings
from portal.web.forms import PortalForm, strip_whitespace

MB = 1024 * 1024
MONEY_FIELDS = ("out_of_pocket_cap", "lost_time_rate", "alternative_cash")
PLAIN_FIELDS = (
    "out_of_pocket_enabled",
    "lost_time_enabled",
    "lost_time_self_attested_hours",
    "lost_time_max_hours",
    "alternative_cash_enabled",
    "monitoring_instead_enabled",
    "appeal_window_days",
    "cure_period_days",
)


def _money_field(label):
    return StringField(label, filters=[strip_whitespace], validators=[DataRequired(_l("Enter an amount, or 0"))])


def _whole(label, low, high):
    return IntegerField(
        label,
        validators=[
            InputRequired(_l("Enter a whole number")),
            NumberRange(low, high, _l("Enter a whole number from %(low)d to %(high)d", low=low, high=high)),
        ],
    )


class ClaimSettingsForm(PortalForm):
    currency = StringField(
        _l("Currency"), filters=[strip_whitespace], validators=[DataRequired(_l("Enter a currency code, like USD"))]
    )
    out_of_pocket_enabled = BooleanField(_l("Offer documented out-of-pocket losses"))
    out_of_pocket_cap = _money_field(_l("Most a person can claim for out-of-pocket losses, in total"))
    lost_time_enabled = BooleanField(_l("Offer lost time"))
    lost_time_rate = _money_field(_l("Payment per hour of lost time"))
    lost_time_self_attested_hours = _whole(_l("Hours a person can claim without documents"), 0, 100)
    lost_time_max_hours = _whole(_l("Most hours a person can claim, with documents"), 1, 500)
    alternative_cash_enabled = BooleanField(_l("Offer the fixed cash payment (instead of documented losses)"))
    alternative_cash = _money_field(_l("Fixed cash payment"))
    monitoring_instead_enabled = BooleanField(_l("Offer monitoring instead of cash"))
    payment_methods = SelectMultipleField(_l("Payment methods offered"), validate_choice=False, choices=[])
    appeal_window_days = _whole(_l("Days a claimant has to appeal a denial (0: no appeals)"), 0, 365)
    cure_period_days = _whole(_l("Days a claimant has to answer a request for information"), 1, 365)
    max_file_mb = _whole(_l("Largest proof file, in MB"), 1, 50)
    max_claim_mb = _whole(_l("Largest total of proof files on one claim, in MB"), 1, 500)

    def validate_currency(self, field):
        field.data = (field.data or "").upper()
        if not re.fullmatch(r"[A-Z]{3}", field.data) or field.data not in list_currencies():
            raise ValidationError(_l("Enter a three-letter ISO 4217 currency code, like USD, EUR or KES"))

    def validate_lost_time_max_hours(self, field):
        if (
            field.data is not None
            and self.lost_time_self_attested_hours.data is not None
            and field.data < self.lost_time_self_attested_hours.data
        ):
            raise ValidationError(_l("The most hours must be at least the hours allowed without documents"))

    def validate_max_claim_mb(self, field):
        if field.data is not None and self.max_file_mb.data is not None and field.data < self.max_file_mb.data:
            raise ValidationError(_l("The total must be at least the largest single file"))

    def validate_payment_methods(self, field):
        known = {str(method) for method in PaymentMethod}
        field.data = [value for value in (field.data or []) if value in known]
        if not field.data:
            raise ValidationError(_l("Select at least one payment method"))

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        self.cents = {}
        for name in MONEY_FIELDS:
            if self[name].errors:
                continue
            try:
                self.cents[name] = parse_money(self[name].data)
            except AmountError:
                self[name].errors.append(_l("Enter the amount as a number, like 100 or 25.50"))
                valid = False
        return valid


def payment_method_choices():
    return [(str(method), str(label)) for method, label in PAYMENT_METHOD_LABELS.items()]


def settings_form(settings: ClaimSettings, formdata=None) -> ClaimSettingsForm:
    data = {name: getattr(settings, name) for name in PLAIN_FIELDS}
    data.update(
        currency=settings.currency,
        payment_methods=[m for m in settings.payment_methods.split(",") if m],
        out_of_pocket_cap=cents_to_text(settings.out_of_pocket_cap_cents),
        lost_time_rate=cents_to_text(settings.lost_time_rate_cents),
        alternative_cash=cents_to_text(settings.alternative_cash_cents),
        max_file_mb=max(1, settings.max_file_bytes // MB),
        max_claim_mb=max(1, settings.max_claim_bytes // MB),
    )
    form = ClaimSettingsForm(formdata=formdata, data=data)
    form.payment_methods.choices = payment_method_choices()
    return form


def update_claim_settings(settings: ClaimSettings, form: ClaimSettingsForm) -> list[str]:
    """Save the form; return the names of the settings that changed (audited, values included: none are personal)."""
    values = {name: form[name].data for name in PLAIN_FIELDS}
    values.update(
        currency=form.currency.data,
        payment_methods=",".join(form.payment_methods.data),
        out_of_pocket_cap_cents=form.cents["out_of_pocket_cap"],
        lost_time_rate_cents=form.cents["lost_time_rate"],
        alternative_cash_cents=form.cents["alternative_cash"],
        max_file_bytes=form.max_file_mb.data * MB,
        max_claim_bytes=form.max_claim_mb.data * MB,
    )
    changed = {name: value for name, value in values.items() if getattr(settings, name) != value}
    for name, value in changed.items():
        setattr(settings, name, value)
    if changed:
        record_audit(AuditAction.CLAIM_SETTINGS_UPDATED, f"incident:{settings.incident_id}", changed)
    db.session.commit()
    return sorted(changed)

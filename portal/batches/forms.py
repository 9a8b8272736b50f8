import re
from datetime import UTC, datetime

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired, FileSize
from wtforms import BooleanField, HiddenField, RadioField, SelectField, SelectMultipleField, StringField
from wtforms.fields import DateTimeLocalField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from portal.batches.audience import Audience
from portal.batches.reminders import REMINDER_LABELS
from portal.constants import Channel
from portal.web.forms import PortalForm

# 1,000,000 ids of up to 64 characters, with line ends.
MAX_LIST_BYTES = 70 * 1024 * 1024
_COUNTRY_RE = re.compile(r"[A-Z]{2}")
_REGION_RE = re.compile(r"[A-Z]{2}-[A-Z0-9]{1,3}")


def split_codes(text: str | None) -> list[str]:
    """ "ke, US  br" → ["KE", "US", "BR"]: commas or spaces, any case, no repeats."""
    seen: dict[str, None] = {}
    for part in re.split(r"[,\s]+", (text or "").upper()):
        if part:
            seen.setdefault(part)
    return list(seen)


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class NewBatchForm(PortalForm):
    name = StringField(_l("Batch name"), validators=[DataRequired(_l("Enter a name for the batch")), Length(max=200)])
    template_version = SelectField(
        _l("Template and version"), coerce=int, validators=[InputRequired(_l("Choose a template version"))]
    )
    channel = RadioField(
        _l("How to send it"),
        choices=[
            SelectChoice(Channel.EMAIL.value, _l("Email")),
            SelectChoice(Channel.LETTER.value, _l("Letter (a print vendor's file)")),
        ],
        default=Channel.EMAIL.value,
        validators=[InputRequired(_l("Choose email or letter"))],
    )


class AudienceFilterForm(PortalForm):
    countries = StringField(_l("Countries (optional)"), validators=[Optional(), Length(max=2000)])
    regions = StringField(_l("Regions (optional)"), validators=[Optional(), Length(max=4000)])
    categories = MultiCheckboxField(_l("Categories exposed (optional)"), choices=[])
    languages = MultiCheckboxField(_l("Preferred languages (optional)"), choices=[])
    never_notified = BooleanField(_l("Only people never notified about this incident"))
    last_bounced = BooleanField(_l("Only people whose last notice about this incident bounced"))
    reminder = SelectField(
        _l("Reminder audience (optional)"),
        choices=[("", _l("No reminder audience")), *[(key.value, label) for key, label in REMINDER_LABELS.items()]],
        validators=[Optional()],
    )

    def validate_countries(self, field):
        bad = [code for code in split_codes(field.data) if not _COUNTRY_RE.fullmatch(code)]
        if bad:
            raise ValidationError(
                _l("Enter two-letter country codes, like KE or US, not %(codes)s", codes=", ".join(bad))
            )

    def validate_regions(self, field):
        bad = [code for code in split_codes(field.data) if not _REGION_RE.fullmatch(code)]
        if bad:
            raise ValidationError(_l("Enter region codes like US-CA or IN-MH, not %(codes)s", codes=", ".join(bad)))

    def fill_from(self, audience: Audience) -> None:
        self.countries.data = ", ".join(audience.countries)
        self.regions.data = ", ".join(audience.regions)
        self.categories.data = list(audience.categories)
        self.languages.data = list(audience.languages)
        self.never_notified.data = audience.never_notified
        self.last_bounced.data = audience.last_bounced
        self.reminder.data = audience.reminder

    def audience(self) -> Audience:
        return Audience(
            countries=tuple(split_codes(self.countries.data)),
            regions=tuple(split_codes(self.regions.data)),
            categories=tuple(self.categories.data or ()),
            languages=tuple(self.languages.data or ()),
            never_notified=bool(self.never_notified.data),
            last_bounced=bool(self.last_bounced.data),
            reminder=self.reminder.data or "",
        )


class AudienceUploadForm(PortalForm):
    contractor_ids = FileField(
        _l("CSV file of contractor IDs"),
        validators=[
            FileRequired(_l("Choose a CSV file")),
            FileSize(MAX_LIST_BYTES, message=_l("The file must be smaller than 70 MB")),
        ],
    )


class ScheduleForm(PortalForm):
    when = RadioField(
        _l("When to send"),
        choices=[SelectChoice("now", _l("As soon as it is approved")), SelectChoice("later", _l("At a set time"))],
        default="now",
        validators=[InputRequired(_l("Choose when to send"))],
    )
    send_at = DateTimeLocalField(_l("Date and time (UTC)"), format="%Y-%m-%dT%H:%M", validators=[Optional()])

    def validate(self, extra_validators=None) -> bool:
        # Not an inline validator: Optional() stops the field's chain when it is empty.
        valid = super().validate(extra_validators)
        if valid and self.when.data == "later" and self.send_at.data is None:
            self.send_at.errors = [_l("Enter the date and time to send, like 2026-11-30 09:00")]
            return False
        return valid

    def send_time(self) -> datetime | None:
        if self.when.data != "later" or self.send_at.data is None:
            return None
        return self.send_at.data.replace(tzinfo=UTC)


class ApproveForm(PortalForm):
    # What the approver was shown; if the batch changes meanwhile, the approval is refused.
    fingerprint = HiddenField()


class ConfirmForm(PortalForm):
    """The button on a check-your-answers page (cancel, retry, resolve)."""


class ResolveUnknownForm(PortalForm):
    notifications = HiddenField()  # comma-separated ids, or empty for every unknown notification

    def notification_ids(self) -> list[int] | None:
        ids = [int(part) for part in (self.notifications.data or "").split(",") if part.strip().isdigit()]
        return ids or None


class SendTestForm(PortalForm):
    person = HiddenField()  # the uid of the recipient previewed, if any

"""Form pieces every feature uses (the base form, filters and fields with our own wording)."""

import re
from datetime import date

from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, StringField, TextAreaField
from wtforms.fields.core import Field
from wtforms.validators import StopValidation

from portal.core.time import utctoday

# Every C0 control and DEL. A multi-line field may hold line breaks and tabs; nothing else may.
_ANY_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_CONTROL_BUT_LINES = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def refuse_control_characters(form, field) -> None:
    """Runs first on every text field of every PortalForm: a NUL byte made PostgreSQL refuse the
    row (a 500), and a line break in a one-line answer can reach an email header."""
    raw = (field.raw_data or [""])[0]
    if not isinstance(raw, str):
        return
    multi_line = isinstance(field, TextAreaField)
    if (_CONTROL_BUT_LINES if multi_line else _ANY_CONTROL).search(raw):
        field.errors[:] = []
        if not multi_line and ("\n" in raw or "\r" in raw):
            raise StopValidation(_l("Write this answer on one line"))
        raise StopValidation(_l("Remove the invisible control characters from this answer, then try again"))


class PortalForm(FlaskForm):
    """The base of every form here: each text field refuses control characters before anything else."""

    class Meta:
        def bind_field(self, form, unbound_field, options):
            if issubclass(unbound_field.field_class, StringField):
                validators = unbound_field.kwargs.get("validators") or ()
                options = {**options, "validators": [refuse_control_characters, *validators]}
            return unbound_field.bind(form=form, **options)


def strip_whitespace(value):
    """Phones add trailing spaces after autocomplete; they are never meaningful here."""
    return value.strip() if isinstance(value, str) else value


class IsoDateField(DateField):
    """A date typed as YYYY-MM-DD (what a phone's date picker sends), with our own wording. Staff forms."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as exc:
            raise ValueError(_l("Enter a real date, for example 1990-03-27")) from exc


DATE_PARTS = ("day", "month", "year")
_MISSING = {
    ("day",): _l("%(field)s must include a day"),
    ("month",): _l("%(field)s must include a month"),
    ("year",): _l("%(field)s must include a year"),
    ("day", "month"): _l("%(field)s must include a day and month"),
    ("day", "year"): _l("%(field)s must include a day and year"),
    ("month", "year"): _l("%(field)s must include a month and year"),
}


class DateInputField(Field):
    """A date asked as three boxes, Day, Month and Year: the GOV.UK date input pattern.

    A browser's date picker shows the browser's own format ("mm/dd/yyyy") whatever language the
    page is in, and a birth year decades back is a long scroll on a phone; three numeric boxes read
    the same in every language and keyboard. The inputs are ``<name>-day``, ``<name>-month`` and
    ``<name>-year``; ``data`` is a ``date`` (or None). Rendered by the ``date_input`` macro in
    templates/_forms.html, which marks only the boxes named in ``invalid_parts``.
    """

    def __init__(
        self,
        label=None,
        validators=None,
        *,
        required_message,
        must_be_past: bool = False,
        earliest: date = date(1900, 1, 1),
        **kwargs,
    ):
        super().__init__(label, validators, **kwargs)
        self.required_message = required_message
        self.must_be_past = must_be_past
        self.earliest = earliest
        self.parts = dict.fromkeys(DATE_PARTS, "")
        self.invalid_parts: tuple[str, ...] = ()

    def process(self, formdata, data=None, extra_filters=None):
        self.process_errors = []
        self.object_data = data
        self.data = data if isinstance(data, date) else None
        if self.data is not None:
            self.parts = {"day": str(data.day), "month": str(data.month), "year": str(data.year)}
        if formdata is not None:
            self.parts = {part: formdata.get(f"{self.name}-{part}", "").strip()[:10] for part in DATE_PARTS}
            self.raw_data = [self.parts[part] for part in DATE_PARTS]
            self.data = None

    def pre_validate(self, form):
        """Read the three boxes; the first problem found is the one shown, with its boxes marked."""
        if self.data is not None:
            return
        value, problem, parts = self._read()
        if value is not None:
            if value < self.earliest:
                field, earliest = self.label.text, format_date(self.earliest, "long")
                value, problem = None, _("%(field)s must be on or after %(date)s", field=field, date=earliest)
            elif self.must_be_past and value >= utctoday():
                value, problem = None, _("%(field)s must be in the past", field=self.label.text)
        if value is None:
            self.invalid_parts = parts
            raise StopValidation(str(problem))
        self.data = value

    def _read(self) -> tuple[date | None, str, tuple[str, ...]]:
        """(the date, "", ()) or (None, what is wrong, the boxes to fix)."""
        parts, field = self.parts, self.label.text
        missing = tuple(part for part in DATE_PARTS if not parts[part])
        if len(missing) == len(DATE_PARTS):
            return None, self.required_message, DATE_PARTS
        if missing:
            return None, _MISSING[missing] % {"field": field}, missing
        not_numbers = tuple(part for part in DATE_PARTS if not parts[part].isdecimal())
        if not_numbers:
            return None, _("%(field)s must be a real date", field=field), not_numbers
        if len(parts["year"]) != 4:
            return None, _("Year must include 4 numbers"), ("year",)
        try:
            return date(int(parts["year"]), int(parts["month"]), int(parts["day"])), "", ()
        except ValueError:
            out_of_range = tuple(part for part, top in (("day", 31), ("month", 12)) if not 1 <= int(parts[part]) <= top)
            return None, _("%(field)s must be a real date", field=field), out_of_range or DATE_PARTS

    @property
    def error_anchor(self) -> str:
        """The id of the first box to fix, for the error summary's link."""
        first = self.invalid_parts[0] if self.invalid_parts else "day"
        return self.id if first == "day" else f"{self.id}-{first}"

"""Form pieces every feature uses (the base form, filters and fields with our own wording)."""

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, StringField, TextAreaField
from wtforms.validators import StopValidation

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
    """A date typed as YYYY-MM-DD (what a phone's date picker sends), with our own wording."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as exc:
            raise ValueError(_l("Enter a real date, for example 1990-03-27")) from exc

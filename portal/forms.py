"""Form pieces every feature uses (filters and fields with our own wording)."""

from flask_babel import lazy_gettext as _l
from wtforms import DateField


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

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

from portal.notice_templates.service import SUBJECT_MAX_LENGTH
from portal.web.forms import PortalForm

BODY_MAX_LENGTH = 50_000


class NoticeContentForm(PortalForm):
    """One language's subject and Markdown body."""

    subject = StringField(
        _l("Subject"), validators=[DataRequired(_l("Enter a subject")), Length(max=SUBJECT_MAX_LENGTH)]
    )
    body = TextAreaField(_l("Message"), validators=[DataRequired(_l("Enter the message")), Length(max=BODY_MAX_LENGTH)])


class NewTemplateForm(NoticeContentForm):
    incident = SelectField(
        _l("Incident"), coerce=int, validators=[InputRequired(_l("Choose the incident this notice is about"))]
    )
    name = StringField(
        _l("Template name"), validators=[DataRequired(_l("Enter a name for the template")), Length(max=200)]
    )
    subject = StringField(
        _l("Subject (English)"), validators=[DataRequired(_l("Enter a subject")), Length(max=SUBJECT_MAX_LENGTH)]
    )
    body = TextAreaField(
        _l("Message (English)"), validators=[DataRequired(_l("Enter the message")), Length(max=BODY_MAX_LENGTH)]
    )


class EditLanguageForm(NoticeContentForm):
    # The version the admin started from: saving on top of a newer one would undo someone's change.
    based_on = HiddenField()

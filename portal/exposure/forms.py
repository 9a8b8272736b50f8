from flask_wtf import FlaskForm
from wtforms import HiddenField


class StepForm(FlaskForm):
    """One checklist step's button: ``done`` is "1" to mark it done, "0" to undo. The CSRF token is the point."""

    done = HiddenField()

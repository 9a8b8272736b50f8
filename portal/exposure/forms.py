from wtforms import HiddenField

from portal.forms import PortalForm


class StepForm(PortalForm):
    """One checklist step's button: ``done`` is "1" to mark it done, "0" to undo. The CSRF token is the point."""

    done = HiddenField()

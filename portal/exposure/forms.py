from wtforms import SelectMultipleField

from portal.web.forms import PortalForm


class ChecklistForm(PortalForm):
    """One card's checklist: ``done`` the steps ticked, ``was_done`` those done when the page was drawn.

    Choices are not checked here: the service refuses any step that is not on the person's own list.
    """

    done = SelectMultipleField(validate_choice=False)
    was_done = SelectMultipleField(validate_choice=False)

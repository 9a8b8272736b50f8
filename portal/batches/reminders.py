"""Reminder audiences: the people to remind before a deadline, as the admin chooses them.

Each is one more condition of a batch's filter audience (its SQL is ``reminder_condition`` in
portal/dao/audience.py), so the count, the preview and the approval's freeze all see the same
people, through the normal two-person flow.
"""

from flask_babel import lazy_gettext as _l

from portal.constants import Reminder

REMINDER_LABELS = {
    Reminder.CLAIM_NOT_SUBMITTED: _l("Started a claim but not submitted it"),
    Reminder.INFO_NOT_ANSWERED: _l("Asked for information about their claim and not answered"),
    Reminder.MONITORING_NOT_ENROLLED: _l("Eligible for monitoring but not enrolled"),
    Reminder.NEVER_VERIFIED: _l("Never checked in on the portal"),
    Reminder.RETURNED_ADDRESS_UPDATED: _l("A letter came back, and their postal address has been updated since"),
}

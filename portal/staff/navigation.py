"""The staff area's sections, shown in the nav and on the dashboard to the roles that may use them.

A section is listed for a user when its view's ``allowed_roles`` (set by ``role_required``) include
their role, so the nav can never offer a page that would answer 403. Add a line here for a new
section; an endpoint that is not registered (yet) is simply left out.
"""

from dataclasses import dataclass

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_login import current_user


@dataclass(frozen=True)
class StaffSection:
    endpoint: str
    label: str
    description: str


STAFF_SECTIONS = (
    StaffSection(
        "staff.people_search",
        _l("Find a person"),
        _l("Look a contractor up by contractor ID or email address and see their record."),
    ),
    StaffSection(
        "incidents.incident_list", _l("Incidents"), _l("Create and edit incidents, and choose which are published.")
    ),
    StaffSection(
        "imports.import_page",
        _l("Import the register"),
        _l("Upload people.csv and exposures.csv for an incident; bad files are refused whole."),
    ),
    StaffSection(
        "updates.admin_updates",
        _l("Incident updates"),
        _l("Post updates to the public page and email them to subscribers."),
    ),
    StaffSection(
        "notice_templates.template_list",
        _l("Notice templates"),
        _l("Write and version the Notice of Data Breach in each language."),
    ),
    StaffSection(
        "batches.batch_list", _l("Notification batches"), _l("Build, approve, send and watch batches of notices.")
    ),
    StaffSection(
        "monitoring.admin_products", _l("Monitoring"), _l("Monitoring products and their pools of activation codes.")
    ),
    StaffSection(
        "claims_staff.claim_queue_page", _l("Claims"), _l("Review claims, ask for information, approve or deny them.")
    ),
    StaffSection(
        "legal.legal_home", _l("Legal"), _l("Claimant exports, exclusions, the declaration and the regulator report.")
    ),
    StaffSection(
        "staff.accounts",
        _l("Staff accounts"),
        _l("Invite colleagues, change roles, deactivate accounts and reset lost authenticators."),
    ),
    StaffSection(
        "privacy.request_queue",
        _l("Data requests"),
        _l("Access, correction and erasure requests, with the date each must be answered by."),
    ),
    StaffSection(
        "privacy.retention_page",
        _l("Retention"),
        _l("When each kind of data is purged or anonymised, per incident, and legal holds."),
    ),
    StaffSection(
        "outbox.outbox_list", _l("Outbox"), _l("Read the messages the portal has sent, as the recipient sees them.")
    ),
    StaffSection(
        "trust.reports_page",
        _l("Suspicious messages"),
        _l("Reports of messages pretending to be from us, grouped by sender; publish a warning."),
    ),
    StaffSection(
        "trust.vendor_import_page",
        _l("Letter vendor files"),
        _l("Import notices the vendor mailed outside the portal, and returned letters, for the declaration."),
    ),
    StaffSection(
        "trust.letter_requests_page",
        _l("Letters on request"),
        _l("Single letters with a new code: queue one for a caller; make the waiting ones into a print file."),
    ),
    StaffSection(
        "trust.organisation_page",
        _l("Who we are"),
        _l("The organisation's name, official senders, domains, help-desk phones and postal address."),
    ),
    StaffSection(
        "staff.audit_log", _l("Audit log"), _l("Recent staff and system actions, and whether the log is intact.")
    ),
)


def staff_can(endpoint: str) -> bool:
    """Whether the signed-in staff member's role may open ``endpoint``."""
    view = current_app.view_functions.get(endpoint)
    roles = getattr(view, "allowed_roles", None)
    return bool(roles) and current_user.is_authenticated and current_user.role in roles


def sections_for_current_user() -> list[StaffSection]:
    return [section for section in STAFF_SECTIONS if staff_can(section.endpoint)]

"""``flask --app app portal …``: the operator's commands. Each fails loudly with a non-zero exit.

Each feature's ``cli`` module defines plain click commands and knows nothing of this group;
``register_cli`` (called by ``create_app``) puts them under ``portal``, so the list of what an
operator can run is this one tuple, and no module is imported for its side effect.
"""

from flask import Flask
from flask.cli import AppGroup

from portal.audit.cli import audit_group
from portal.imports.cli import import_command
from portal.incidents.cli import create_incident_command
from portal.legal.cli import export_claimants_command, purge_exports_command
from portal.monitoring.cli import import_codes_command
from portal.privacy.cli import purge_command
from portal.sending.cli import reap_command, send_command
from portal.staff.cli import create_staff_command, deactivate_staff_command, reset_staff_totp_command
from portal.trust.cli import import_outside_notices_command, import_returned_letters_command, organisation_seed

OPERATOR_COMMANDS = (
    create_incident_command,
    import_command,
    create_staff_command,
    deactivate_staff_command,
    reset_staff_totp_command,
    audit_group,
    import_codes_command,
    send_command,
    reap_command,
    export_claimants_command,
    purge_exports_command,
    purge_command,
    organisation_seed,
    import_outside_notices_command,
    import_returned_letters_command,
)


def register_cli(app: Flask) -> None:
    """Add ``flask portal`` and its commands to ``app`` (a group per app: nothing is shared between apps)."""
    group = AppGroup("portal", help="Exposure Portal commands.")
    for command in OPERATOR_COMMANDS:
        group.add_command(command)
    app.cli.add_command(group)

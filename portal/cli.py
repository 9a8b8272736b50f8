"""``flask --app app portal …``: the operator's commands. Each fails loudly with a non-zero exit."""

from flask.cli import AppGroup

portal_cli = AppGroup("portal", help="Exposure Portal commands.")

# Feature modules add their commands to the group when imported.
from portal import cli_commands  # noqa: E402, F401

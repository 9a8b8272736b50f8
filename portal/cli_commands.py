"""Imports every module that adds a command to ``flask portal``."""

from portal import (
    audit_cli,  # noqa: F401
)
from portal.imports import cli as imports_cli  # noqa: F401
from portal.incidents import cli as incidents_cli  # noqa: F401
from portal.legal import cli as legal_cli  # noqa: F401
from portal.monitoring import cli as monitoring_cli  # noqa: F401
from portal.privacy import cli as privacy_cli  # noqa: F401
from portal.sending import cli as sending_cli  # noqa: F401
from portal.staff import cli as staff_cli  # noqa: F401
from portal.trust import cli as trust_cli  # noqa: F401

"""Changing who we are: an admin's edit in the staff area, the seed command, the demo. Each audited."""

from sqlalchemy.exc import IntegrityError

from portal.audit.chain import record_audit
from portal.dao.organisation import dao_add_organisation
from portal.extensions import db
from portal.models import Organisation
from portal.trust.constants import TrustAudit
from portal.trust.organisation import (
    EDITABLE_FIELDS,
    ORGANISATION_ID,
    forget_cached_organisation,
    stored_organisation,
    values_from_config,
)

# Obviously fictional: the demo must never look like a real organisation someone could be phished in the name of.
DEMO_ORGANISATION = {
    "legal_name": "Example Gig Platform Ltd (fictional, demo only)",
    "sender_addresses": "notices@exposure-portal.example\nhelp@exposure-portal.example",
    "sender_domains": "exposure-portal.example",
    "phone_lines": (
        "KE | +254 20 000 0000 | Mon-Fri 08:00-18:00 EAT\n"
        "IN | +91 22 0000 0000 | Mon-Sat 09:00-18:00 IST\n"
        "BR | +55 11 0000-0000 | Seg-Sex 09:00-18:00 BRT\n"
        "| +44 20 7946 0000 | Mon-Fri 09:00-17:00 GMT"
    ),
    "postal_address": "Exposure Portal (demo)\nPO Box 0000\nExampletown EX1 0AA\nUnited Kingdom",
    "claims_administrator": "Example Claims Administration LLC (fictional)",
}


def save_organisation(values: dict[str, str], actor: str | None = None) -> list[str]:
    """Store the organisation's details; the names of the fields that changed (audited with the change).

    Two first saves at once both try the insert; the loser retries as an update, so neither fails.
    """
    for attempt in range(2):
        try:
            changed = _save(values, actor)
            db.session.commit()
            forget_cached_organisation()
            return changed
        except IntegrityError:
            db.session.rollback()
            if attempt:
                raise
    return []


def _save(values: dict[str, str], actor: str | None) -> list[str]:
    row = stored_organisation()
    if row is None:
        row = Organisation(id=ORGANISATION_ID, **dict.fromkeys(EDITABLE_FIELDS, ""))
        dao_add_organisation(row)
    changed = [name for name in EDITABLE_FIELDS if (values.get(name) or "") != (getattr(row, name) or "")]
    for name in changed:
        setattr(row, name, values.get(name) or "")
    if changed:
        # Field names only: the values are public, but the log stays small and the page shows them.
        record_audit(TrustAudit.ORGANISATION_UPDATED, "organisation", {"changed": changed}, actor=actor)
    return changed


def seed_organisation_from_config(replace: bool = False) -> list[str] | None:
    """Write the ORGANISATION_* settings into the row; None if a row exists and ``replace`` is off."""
    if stored_organisation() is not None and not replace:
        return None
    return save_organisation(values_from_config(), actor="cli")


def seed_demo_organisation() -> None:
    if stored_organisation() is None:
        save_organisation(DEMO_ORGANISATION, actor="cli")

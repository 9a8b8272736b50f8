"""Legal holds: legal stops the retention schedule for an incident (litigation, a regulator's inquiry)."""

from sqlalchemy.exc import IntegrityError

from portal.audit.chain import record_audit
from portal.constants import AuditAction
from portal.core.time import utcnow
from portal.dao.retention import dao_add_hold, dao_delete_hold, dao_lock_incident
from portal.extensions import db
from portal.models import LegalHold


def set_hold(incident_id: int, staff_id: int, reason: str) -> bool:
    """True if this call set it; False if a hold was already there (a double click)."""
    try:
        dao_lock_incident(incident_id)
        dao_add_hold(LegalHold(incident_id=incident_id, reason=reason.strip(), set_by_id=staff_id, set_at=utcnow()))
        record_audit(AuditAction.LEGAL_HOLD_SET, f"incident:{incident_id}", {"reason": reason.strip()})
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return False
    return True


def lift_hold(incident_id: int) -> bool:
    if not dao_delete_hold(incident_id):
        db.session.rollback()
        return False
    record_audit(AuditAction.LEGAL_HOLD_LIFTED, f"incident:{incident_id}")
    db.session.commit()
    return True

"""Erasure (GDPR Art. 17 and its equivalents): the person's personal data removed or irreversibly
anonymised in every table and in the upload folder, in the caller's transaction.

Kept, because a law or the settlement needs it and it no longer names anyone: a paid claim's
reference, amounts, dates and status (payment and tax records); the person row itself, emptied, so
notification counts and the regulator report still add up; monitoring enrollments (an activation
code must never be handed to a second person); the audit chain, whose details never hold personal
data and whose targets are the person's random uid, which nothing links to them once the row is
emptied. Backups hold the last copy until they expire (docs/privacy.md).
"""

from portal.audit.chain import record_audit
from portal.claims.proof_files import delete_stored
from portal.constants import AuditAction
from portal.dao.erasure import (
    dao_anonymise_person,
    dao_erase_claims,
    dao_erase_contact_trail,
    dao_lock_person,
    dao_stored_names_of_person,
)


def erase_person(person_id: int, actor: str) -> list[str]:
    """Erase in the current transaction; return the proof files to delete once it commits
    (deleted before, a rollback would leave rows pointing at files that are gone)."""
    person = dao_lock_person(person_id)
    if person is None:
        return []
    stored_names = dao_stored_names_of_person(person_id)
    counts = dao_erase_claims(person_id)
    counts.update(dao_erase_contact_trail(person_id, person.email))
    dao_anonymise_person(person)
    counts["files"] = len(stored_names)
    record_audit(AuditAction.PERSON_ERASED, f"person:{person.uid}", counts, actor=actor)
    return stored_names


def delete_files(stored_names: list[str]) -> None:
    for name in stored_names:
        delete_stored(name)

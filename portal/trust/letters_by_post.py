"""A new code by post: the person gives name, date of birth and postal code; a match joins the queue.

Like "I lost my code" by email (portal/verify/service.py), the request only seals what was typed
and hands it to the background (Celery, a thread, or inline in tests), so the answer is the same
page in the same time whether or not anything matched; the register is read, and the request
queued, away from the request. Support queue a letter for a caller the same way, after checking
who they are, with their name in the audit log.
"""

import hmac
import json
import logging
from datetime import date

from portal.audit.chain import record_audit
from portal.background.dispatch import run_task
from portal.background.tasks import LETTER_BY_POST
from portal.core.text import fold
from portal.core.time import utcnow
from portal.crypto import crypto
from portal.dao.letter_requests import dao_queue_letter_request
from portal.dao.people import dao_people_named_like
from portal.extensions import db
from portal.models import Person
from portal.trust.constants import LetterRequestSource, TrustAudit

log = logging.getLogger(__name__)
_AAD = "letter-by-post-request"


def normalise_postal_code(text: str) -> str:
    return "".join(ch for ch in (text or "").upper() if ch.isalnum())


def request_letter_by_post(first_name: str, last_name: str, date_of_birth: date, postal_code: str) -> None:
    """Seal the details and dispatch; return at once whatever they match."""
    payload = json.dumps([first_name, last_name, date_of_birth.isoformat(), postal_code])
    sealed = crypto().cipher.encrypt(payload, _AAD)
    run_task(LETTER_BY_POST, sealed)


def match_sealed(sealed: str) -> None:
    """The background half: find the register entry, queue its letter. Silent either way."""
    first_name, last_name, birth, postal_code = json.loads(crypto().cipher.decrypt(sealed, _AAD))
    for person in _matches(first_name, last_name, date.fromisoformat(birth), postal_code):
        queue_letter(person, LetterRequestSource.POST_FORM, actor="anonymous")
    db.session.commit()


def _matches(first_name: str, last_name: str, birth: date, postal_code: str) -> list[Person]:
    wanted = normalise_postal_code(postal_code)
    found = []
    # Two letters as typed without accents; an accented first letter in the register is found by the other name.
    candidates = dao_people_named_like(fold(last_name)[:2], fold(first_name)[:2])
    for person in candidates:
        names_ok = hmac.compare_digest(fold(person.last_name), fold(last_name)) and hmac.compare_digest(
            fold(person.first_name), fold(first_name)
        )
        if not names_ok or person.date_of_birth != birth:
            continue
        address = json.loads(person.decrypt_field("address") or "{}")
        on_file = normalise_postal_code(address.get("postal_code", "") if isinstance(address, dict) else "")
        if wanted and hmac.compare_digest(on_file, wanted):
            found.append(person)
    return found


def queue_letter(person: Person, source: str, actor: str | None = None, details: dict | None = None) -> bool:
    """Add the person to the letters-on-request queue, once: False if a letter is already waiting."""
    if not dao_queue_letter_request(person.id, source, utcnow()):
        return False
    record_audit(
        TrustAudit.LETTER_REQUESTED, f"person:{person.uid}", {"source": source, **(details or {})}, actor=actor
    )
    return True

"""A verified person's choice of language is also the language we write to them in.

Before the identity check the selector only changes the pages; after it, the person has told us
which language they read, so their register row follows, and every email after it (sent from a
page, a batch or a worker) is in that language.
"""

from flask import current_app

from portal.audit.chain import record_audit
from portal.constants import AuditAction
from portal.core.i18n import best_language
from portal.dao.people import dao_set_preferred_language
from portal.extensions import db
from portal.models import Person


def make_mail_language(person: Person, language: str) -> bool:
    """Set the register's preferred language, audited in the same transaction; False when the
    register already says it (``pt-BR`` already is ``pt``) or it is not a language we write in."""
    if language not in current_app.config["LANGUAGES"] or best_language(person.preferred_language) == language:
        return False
    try:
        if not dao_set_preferred_language(person.id, language):
            db.session.rollback()
            return False
        actor = f"contractor:{person.uid}"
        record_audit(AuditAction.LANGUAGE_CHOSEN, f"person:{person.uid}", {"to": language}, actor=actor)
        db.session.commit()
    except Exception:
        # Undone here: the session store shares the database, and saving it would commit the change.
        db.session.rollback()
        raise
    return True

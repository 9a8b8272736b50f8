"""No row values reach the logs through a database error's message.

PostgreSQL writes the values into the error itself (``Failing row contains (…, Amina, Okafor,
amina.private@example.org, …)``, ``Key (contractor_id)=(…) already exists``); SQLAlchemy's
``hide_parameters`` does not touch that. Every way the portal logs an error is covered: the error
as the record's exception, as the cause of another, and as an argument of the message.
"""

import logging

import pytest
from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError

from portal.extensions import db
from portal.models import Person
from tests.factories import make_person

PRIVATE_EMAIL = "amina.private@example.org"
PRIVATE_ID = "C-PRIVATE-4410"
log = logging.getLogger("portal.tests.redaction")


def _failed_insert(**row) -> IntegrityError:
    """A real refusal by the database of a person's row holding the private values."""
    with pytest.raises(IntegrityError) as caught, db.session.begin_nested():
        db.session.execute(insert(Person).values(**row))
    return caught.value


@pytest.fixture
def refusals(app_ctx) -> list[IntegrityError]:
    person = make_person(PRIVATE_ID, email=PRIVATE_EMAIL)
    row = {
        "uid": "0" * 32,
        "first_name": person.first_name,
        "last_name": person.last_name,
        "email": PRIVATE_EMAIL,
        "email_bidx": person.email_bidx,
        "country": "KE",
        "region": "",
        "preferred_language": "en",
    }
    duplicate = _failed_insert(contractor_id=PRIVATE_ID, **row)  # Key (contractor_id)=(…) already exists
    missing = _failed_insert(contractor_id=None, **row)  # Failing row contains (…, the email, …)
    return [duplicate, missing]


def _assert_nothing_private(caplog) -> None:
    written = caplog.text + "".join(record.getMessage() for record in caplog.records)
    assert caplog.records, "the test logged nothing"
    assert PRIVATE_EMAIL not in written and PRIVATE_ID not in written, written
    if db.engine.dialect.name == "postgresql":
        assert "SQLSTATE 23505" in written and "SQLSTATE 23502" in written, written  # what it was about stays


def test_a_database_error_logged_with_its_traceback_names_no_value(refusals, caplog):
    if db.engine.dialect.name == "postgresql":
        assert PRIVATE_EMAIL in str(refusals[1]), "the server's message carries the row: the case this guards"
    for error in refusals:
        try:
            raise error
        except IntegrityError:
            log.exception("saving the person failed")
    _assert_nothing_private(caplog)


def test_a_database_error_as_the_cause_or_the_argument_of_a_message_names_no_value(refusals, caplog):
    for error in refusals:
        try:
            try:
                raise error
            except IntegrityError as database_error:
                raise RuntimeError("the import could not be written") from database_error
        except RuntimeError:
            log.error("import failed", exc_info=True)
        log.warning("settling failed: %s", error)
    _assert_nothing_private(caplog)

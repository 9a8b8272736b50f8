"""Queueing a letter on request: once per person, however often the same connection runs it.

On PostgreSQL psycopg prepares a statement after a few runs on one connection and the server
then moves it to a generic plan, in which a parameter in ``ON CONFLICT … WHERE`` can no longer
prove the partial unique index applies: every letter request on that connection failed from
about the tenth on. Twenty runs inside one transaction use one connection on both databases.
"""

from sqlalchemy import func, select

from portal.core.time import utcnow
from portal.dao.letter_requests import dao_queue_letter_request
from portal.extensions import db
from portal.models import LetterRequest
from portal.trust.constants import LetterRequestSource
from tests.factories import make_person

RUNS = 20  # well past psycopg's prepare threshold (5) and PostgreSQL's five custom plans


def test_a_letter_is_queued_once_per_person_however_many_runs_one_connection_makes(app_ctx):
    people = [make_person(f"C-{n}") for n in range(RUNS)]
    connection = db.session.connection()
    backend = connection.connection.dbapi_connection

    first = [dao_queue_letter_request(person.id, LetterRequestSource.POST_FORM, utcnow()) for person in people]
    again = [dao_queue_letter_request(person.id, LetterRequestSource.POST_FORM, utcnow()) for person in people]

    assert db.session.connection().connection.dbapi_connection is backend, "the runs must share one connection"
    assert first == [True] * RUNS
    assert again == [False] * RUNS, "a letter already waiting is not queued twice"
    assert db.session.scalar(select(func.count()).select_from(LetterRequest)) == RUNS
    db.session.rollback()

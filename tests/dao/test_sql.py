"""The dialect helpers every dao module shares."""

from sqlalchemy import select

from portal.dao.sql import id_in, is_postgres
from portal.extensions import db
from portal.models import Person
from tests.conftest import ON_POSTGRES
from tests.factories import make_person


def test_is_postgres_names_the_database_the_tests_run_on(app_ctx):
    assert is_postgres() is ON_POSTGRES


def test_id_in_matches_exactly_the_ids_given_in_one_parameter(app_ctx):
    people = [make_person() for _ in range(3)]
    wanted = [people[0].id, people[2].id]

    found = db.session.scalars(select(Person.id).where(id_in(Person.id, wanted)))

    assert sorted(found) == sorted(wanted)

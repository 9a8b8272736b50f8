"""Looking people up by contractor id, as the vendor and audience uploads do."""

from portal.dao.people import dao_get_person_ids_by_contractor_ids
from portal.dao.sql import ID_CHUNK
from portal.extensions import db
from portal.models import Person


def test_an_upload_longer_than_one_chunk_finds_every_person_and_skips_unknown_ids(app_ctx):
    people = [
        Person(uid=f"u{n:05d}", contractor_id=f"C-{n:05d}", first_name="Amina", last_name="Okafor", country="KE")
        for n in range(ID_CHUNK + 7)
    ]
    db.session.add_all(people)
    db.session.flush()
    wanted = [person.contractor_id for person in people] + ["C-not-in-the-register"]

    found = dao_get_person_ids_by_contractor_ids(wanted)

    assert found == {person.contractor_id: person.id for person in people}
    db.session.rollback()

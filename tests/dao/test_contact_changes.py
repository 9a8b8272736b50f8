"""A pending contact change is applied once, however many requests race to apply it."""

import uuid

from portal.constants import ContactChangeStatus
from portal.core.time import utcnow
from portal.dao.contact_changes import dao_add_contact_change, dao_apply_contact_change
from portal.extensions import db
from portal.models import ContactChange
from tests.factories import make_person


def test_a_second_apply_of_the_same_change_changes_nothing(app_ctx):
    person = make_person()
    change = ContactChange(
        uid=uuid.uuid4().hex, person_id=person.id, kind="email", status=ContactChangeStatus.PENDING, new_value_enc="x"
    )
    dao_add_contact_change(change)
    db.session.flush()

    assert dao_apply_contact_change(change.id, utcnow()) is True
    assert dao_apply_contact_change(change.id, utcnow()) is False
    db.session.rollback()

"""Audiences: each filter, the uploaded list, and the one query used for the count and the freeze."""

import io

import pytest
from sqlalchemy import select

from portal.batches.audience import (
    Audience,
    audience_query,
    language_for,
)
from portal.batches.service import count_audience
from portal.constants import AudienceKind, BatchStatus, Channel, NotificationStatus
from portal.extensions import db
from portal.models import Batch, Person
from tests.batches.helpers import make_batch, make_template, notify
from tests.factories import expose, make_incident, make_person

pytestmark = pytest.mark.usefixtures("app_ctx")


def _audience_ids(batch) -> set[str]:
    return set(db.session.scalars(audience_query(batch, Person.contractor_id)))


@pytest.fixture
def draft(incident, admin):
    """Build a draft batch with this audience."""
    _client, user = admin
    version = make_template(incident)

    def build(audience=None, channel=Channel.EMAIL):
        return make_batch(incident, version, user, channel=channel, audience=audience)

    return build


def test_everyone_affected_by_the_incident_and_nobody_else(draft, person_in):
    person_in("C-1")
    person_in("C-2")
    make_person("C-OTHER")  # in the register, not in this incident
    other_incident = make_incident(slug="another-breach")
    expose(make_person("C-ELSEWHERE"), other_incident, "payment")
    batch = draft()
    assert _audience_ids(batch) == {"C-1", "C-2"}
    assert count_audience(batch) == 2


def test_filter_by_country(draft, person_in):
    person_in("C-KE", country="KE")
    person_in("C-NG", country="NG")
    person_in("C-US", country="US")
    assert _audience_ids(draft(Audience(countries=("KE", "NG")))) == {"C-KE", "C-NG"}


def test_filter_by_region(draft, person_in):
    person_in("C-CA", country="US", region="US-CA")
    person_in("C-NY", country="US", region="US-NY")
    assert _audience_ids(draft(Audience(regions=("US-CA",)))) == {"C-CA"}


def test_filter_by_category_exposed_in_this_incident(draft, person_in, incident):
    person_in("C-ID", categories=("national_id", "address"))
    person_in("C-PAY", categories=("payment",))
    # Video exposed in another incident does not count for this one.
    other_incident = make_incident(slug="another-breach")
    elsewhere = person_in("C-ELSE", categories=("address",))
    expose(elsewhere, other_incident, "video")
    assert _audience_ids(draft(Audience(categories=("national_id", "video")))) == {"C-ID"}


def test_filter_by_preferred_language_however_the_register_spells_it(draft, person_in):
    person_in("C-PT", language="pt-BR")
    person_in("C-PT2", language="PT")
    person_in("C-ES", language="es")
    person_in("C-EN", language="en")
    assert _audience_ids(draft(Audience(languages=("pt",)))) == {"C-PT", "C-PT2"}


def test_never_notified_leaves_out_anyone_reached_in_any_batch_of_the_incident(draft, person_in, incident, admin):
    reached = person_in("C-REACHED")
    delivered = person_in("C-DELIVERED")
    bounced = person_in("C-BOUNCED")
    person_in("C-NEW")
    earlier = draft()
    earlier.status = BatchStatus.SENT
    notify(earlier, reached, NotificationStatus.ACCEPTED)
    notify(earlier, delivered, NotificationStatus.DELIVERED)
    notify(earlier, bounced, NotificationStatus.BOUNCED)
    assert _audience_ids(draft(Audience(never_notified=True))) == {"C-BOUNCED", "C-NEW"}


def test_last_notice_bounced_looks_only_at_each_persons_latest_notification(draft, person_in):
    still_bounced = person_in("C-STILL")
    fixed = person_in("C-FIXED")
    dropped = person_in("C-DROPPED")
    person_in("C-NEVER")
    first, second = draft(), draft()
    notify(first, still_bounced, NotificationStatus.BOUNCED)
    notify(first, fixed, NotificationStatus.BOUNCED)
    notify(second, fixed, NotificationStatus.DELIVERED)  # a later notice reached them
    notify(second, dropped, NotificationStatus.DROPPED)
    assert _audience_ids(draft(Audience(last_bounced=True))) == {"C-STILL", "C-DROPPED"}


def test_filters_combine_and_leave_out_people_the_channel_cannot_reach(draft, person_in):
    person_in("C-1", country="KE", language="sw")
    person_in("C-2", country="KE", language="en")
    person_in("C-3", country="KE", language="sw", email="placeholder@example.org")
    no_email = db.session.scalar(select(Person).where(Person.contractor_id == "C-3"))
    no_email.email = ""
    db.session.commit()
    assert _audience_ids(draft(Audience(countries=("KE",), languages=("sw",)))) == {"C-1"}
    assert _audience_ids(draft(Audience(countries=("KE",), languages=("sw",)), channel=Channel.LETTER)) == {
        "C-1",
        "C-3",
    }


def test_language_for_matches_the_sql_choice():
    assert language_for("pt-BR", ["en", "pt"]) == "pt"
    assert language_for("fil_PH", ["en", "fil"]) == "fil"
    assert language_for("de", ["en", "pt"]) == "en"
    assert language_for("", ["en"]) == "en"


def _upload(client, batch, text: str):
    return client.post(
        f"/staff/batches/{batch.id}/audience/upload",
        data={"contractor_ids": (io.BytesIO(text.encode()), "ids.csv")},
        content_type="multipart/form-data",
    )


def test_an_uploaded_list_becomes_the_audience(admin, draft, person_in):
    client, _user = admin
    person_in("C-1")
    person_in("C-2")
    person_in("C-3")
    batch = draft()
    response = _upload(client, batch, "contractor_id,note\nC-1,first\n\nC-3,third\nC-1,again\n")
    assert response.status_code == 302
    db.session.expire_all()
    audience = Audience.from_json(db.session.get(Batch, batch.id).audience)
    assert audience.kind == AudienceKind.LIST and audience.contractor_ids == ("C-1", "C-3")
    assert _audience_ids(batch) == {"C-1", "C-3"}


def test_unknown_ids_in_an_upload_are_reported_by_line_and_nothing_is_saved(admin, draft, person_in):
    client, _user = admin
    person_in("C-1")
    make_person("C-NOT-AFFECTED")
    batch = draft(Audience(countries=("KE",)))
    response = _upload(client, batch, "C-1\nC-NOPE\nC-NOT-AFFECTED\n")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Line 2: there is no contractor with ID C-NOPE in the register" in page
    assert "Line 3: contractor C-NOT-AFFECTED is not affected by this incident" in page
    assert "Nothing was saved" in page
    db.session.expire_all()
    assert Audience.from_json(db.session.get(Batch, batch.id).audience) == Audience(countries=("KE",))


def test_a_large_uploaded_list_is_one_parameter_not_thousands(draft, person_in):
    person_in("C-0")
    batch = draft(Audience(kind=AudienceKind.LIST, contractor_ids=tuple(f"C-{n}" for n in range(70_000))))
    assert count_audience(batch) == 1


def test_the_filter_form_saves_the_audience_and_the_page_counts_it(admin, draft, person_in):
    client, _user = admin
    person_in("C-1", country="KE", categories=("payment",))
    person_in("C-2", country="NG", categories=("payment",))
    batch = draft()
    response = client.post(
        f"/staff/batches/{batch.id}/audience",
        data={"countries": "ke, ng", "regions": "", "categories": ["payment"], "never_notified": "y"},
    )
    assert response.status_code == 302
    db.session.expire_all()
    saved = Audience.from_json(db.session.get(Batch, batch.id).audience)
    assert saved == Audience(countries=("KE", "NG"), categories=("payment",), never_notified=True)
    page = client.get(f"/staff/batches/{batch.id}").get_data(as_text=True)
    assert "Country: KE, NG" in page and "Never notified about this incident" in page


def test_a_bad_country_code_is_shown_beside_the_field(admin, draft):
    client, _user = admin
    batch = draft()
    response = client.post(f"/staff/batches/{batch.id}/audience", data={"countries": "Kenya"})
    assert response.status_code == 400
    assert "Enter two-letter country codes" in response.get_data(as_text=True)

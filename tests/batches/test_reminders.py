"""Each reminder audience selects exactly the people it names, through the batch's filter audience."""

import pytest
from sqlalchemy import select

from portal.batches.audience import Audience, audience_query
from portal.constants import Channel, ClaimStatus, Reminder
from portal.core.time import utcnow
from portal.extensions import db
from portal.models import Batch, Claim, MonitoringEnrollment, NoticeCode, Person
from tests.batches.helpers import make_batch, make_template
from tests.factories import give_notice_code, make_incident
from tests.monitoring.helpers import make_product

pytestmark = pytest.mark.usefixtures("app_ctx")


@pytest.fixture
def audience_of(incident, admin):
    _client, user = admin
    version = make_template(incident)

    def ids(reminder: str) -> set[str]:
        batch = make_batch(incident, version, user, channel=Channel.EMAIL, audience=Audience(reminder=reminder))
        return set(db.session.scalars(audience_query(batch, Person.contractor_id)))

    return ids


def claim(person, incident, status):
    db.session.add(
        Claim(reference=f"R-{person.contractor_id}", person_id=person.id, incident_id=incident.id, status=status)
    )
    db.session.commit()


def test_claim_started_but_not_submitted(audience_of, person_in, incident):
    claim(person_in("C-DRAFT"), incident, ClaimStatus.DRAFT)
    claim(person_in("C-SENT"), incident, ClaimStatus.SUBMITTED)
    person_in("C-NONE")
    other = make_incident(slug="other")
    drafted_elsewhere = person_in("C-ELSEWHERE")
    claim(drafted_elsewhere, other, ClaimStatus.DRAFT)
    assert audience_of(Reminder.CLAIM_NOT_SUBMITTED) == {"C-DRAFT"}


def test_request_for_information_not_answered(audience_of, person_in, incident):
    claim(person_in("C-ASKED"), incident, ClaimStatus.NEEDS_INFO)
    claim(person_in("C-ANSWERED"), incident, ClaimStatus.SUBMITTED)
    claim(person_in("C-DENIED"), incident, ClaimStatus.DENIED)
    assert audience_of(Reminder.INFO_NOT_ANSWERED) == {"C-ASKED"}


def test_eligible_for_monitoring_not_enrolled(audience_of, person_in, incident):
    everywhere = make_product(incident, countries="KE, NG")
    make_product(incident, name="US credit", countries="US", requires_us_credit_file=True)
    make_product(incident, name="Retired", countries="", active=False)
    person_in("C-KE", country="KE")
    enrolled = person_in("C-KE-ENROLLED", country="KE")
    db.session.add(
        MonitoringEnrollment(person_id=enrolled.id, product_id=everywhere.id, status="waiting", consented_at=utcnow())
    )
    db.session.commit()
    person_in("C-BR", country="BR")  # no product offered in Brazil
    person_in("C-US-SSN", country="US", categories=("national_id",))
    person_in("C-US-NO-SSN", country="US", categories=("payment",))
    assert audience_of(Reminder.MONITORING_NOT_ENROLLED) == {"C-KE", "C-US-SSN"}


def test_never_verified(audience_of, person_in, incident):
    person_in("C-NEVER")
    checked = person_in("C-CHECKED")
    give_notice_code(checked, incident)
    db.session.scalars(select(NoticeCode).where(NoticeCode.person_id == checked.id)).one().last_used_at = utcnow()
    unused = person_in("C-CODE-UNUSED")
    give_notice_code(unused, incident)
    db.session.commit()
    assert audience_of(Reminder.NEVER_VERIFIED) == {"C-NEVER", "C-CODE-UNUSED"}


def test_the_filter_form_saves_a_reminder_audience_and_the_batch_page_names_it(admin, incident, person_in):
    client, user = admin
    batch = make_batch(incident, make_template(incident), user)
    client.get(f"/staff/batches/{batch.id}/audience")
    response = client.post(f"/staff/batches/{batch.id}/audience", data={"countries": "", "reminder": "claim_draft"})
    assert response.status_code == 302
    db.session.expire_all()
    assert Audience.from_json(db.session.get(Batch, batch.id).audience).reminder == "claim_draft"
    page = client.get(f"/staff/batches/{batch.id}").get_data(as_text=True)
    assert "Reminder: Started a claim but not submitted it" in page
    bad = client.post(f"/staff/batches/{batch.id}/audience", data={"reminder": "everyone-ever"})
    assert bad.status_code == 400

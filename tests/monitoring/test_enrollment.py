"""Enrolling: check answers and consent, one code per person, email, waiting list, deadline."""

import logging
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.constants import EnrollmentStatus
from portal.core.time import utcnow
from portal.crypto import DecryptionError, crypto
from portal.extensions import db
from portal.models import ActivationCode, AuditEvent, MonitoringEnrollment
from portal.monitoring.service import LATEST_UTC_OFFSET, enroll, enrollment_is_open
from tests.factories import expose, make_incident, make_person
from tests.monitoring.helpers import FUTURE, PAST, add_codes, code_mails, make_product, sign_in


def without_tags(page: str) -> str:
    """The text a reader sees: codes are drawn in groups and long addresses carry <wbr> break points."""
    return re.sub(r"<[^>]+>", "", page)


@pytest.fixture
def incident(app_ctx):
    return make_incident(enrollment_deadline=FUTURE)


@pytest.fixture
def person(incident):
    person = make_person("C-1", country="KE", email="amina@example.org")
    expose(person, incident, "contact")
    return person


def enrollments() -> list[MonitoringEnrollment]:
    return list(db.session.scalars(select(MonitoringEnrollment).order_by(MonitoringEnrollment.id)))


def test_check_your_answers_then_consent_gives_a_code_on_screen_and_by_email(client, incident, person):
    product = make_product(incident, name="Identity Defense", provider="Kroll")
    add_codes(product, "KR-0001", "KR-0002")
    sign_in(client, person)
    page = client.get(f"/my/monitoring/product/{product.id}").get_data(as_text=True)
    assert "Check your answers before you get your code" in page
    assert (
        "Kroll" in page
        and "24 months" in page
        and "amina@<wbr>example.<wbr>org" in page
        and "December 31, 2099" in page
    )

    before = utcnow()
    response = client.post(f"/my/monitoring/product/{product.id}", data={"consent": "y"})
    assert response.status_code == 302 and response.location.endswith(f"/my/monitoring/product/{product.id}/code")
    [enrollment] = enrollments()
    assert enrollment.status == EnrollmentStatus.ENROLLED
    assert before <= enrollment.consented_at <= utcnow() and enrollment.consent_ip == "127.0.0.1"
    assert enrollment.emailed_at is not None

    page = client.get(response.location).get_data(as_text=True)
    assert (
        "KR-0001" in without_tags(page) and product.enrollment_url in without_tags(page) and "December 31, 2099" in page
    )
    [mail] = code_mails()
    assert mail.to_address == "amina@example.org"
    assert "KR-0001" in mail.body_text and product.enrollment_url in mail.body_text
    assert "December 31, 2099" in mail.body_text


def test_without_the_consent_tick_nothing_happens_and_the_error_is_shown(client, incident, person):
    product = make_product(incident)
    add_codes(product, "KR-0001")
    sign_in(client, person)
    response = client.post(f"/my/monitoring/product/{product.id}", data={})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "There is a problem" in page and "Tick the box to confirm you want an activation code" in page
    assert 'href="#consent"' in page
    assert enrollments() == [] and code_mails() == []


def test_one_code_per_person_per_product_even_when_asked_twice(client, incident, person):
    product = make_product(incident)
    add_codes(product, "KR-0001", "KR-0002")
    sign_in(client, person)
    client.post(f"/my/monitoring/product/{product.id}", data={"consent": "y"})
    second = client.post(f"/my/monitoring/product/{product.id}", data={"consent": "y"})
    assert second.status_code == 302
    assert enroll(person, product, "127.0.0.1").id == enrollments()[0].id
    assert len(enrollments()) == 1 and len(code_mails()) == 1
    taken = db.session.scalars(select(ActivationCode).where(ActivationCode.enrollment_id.is_not(None))).all()
    assert len(taken) == 1
    # The confirm page now sends them to their code rather than offering a second one.
    assert client.get(f"/my/monitoring/product/{product.id}").location.endswith("/code")


def test_codes_are_never_reused_across_people(incident):
    product = make_product(incident)
    add_codes(product, "A-1", "A-2", "A-3")
    people = [make_person(f"C-{n}", country="KE") for n in range(3)]
    for someone in people:
        expose(someone, incident, "contact")
        enroll(someone, product, "127.0.0.1")
    codes = db.session.scalars(select(ActivationCode.enrollment_id)).all()
    assert sorted(codes) == sorted(e.id for e in enrollments()) and len(set(codes)) == 3


def test_an_empty_pool_puts_people_on_the_waiting_list_served_in_order_when_codes_arrive(client, incident, person):
    product = make_product(incident)
    later = make_person("C-2", country="KE")
    expose(later, incident, "contact")
    sign_in(client, person)
    client.post(f"/my/monitoring/product/{product.id}", data={"consent": "y"})
    enroll(later, product, "127.0.0.1")
    assert [e.status for e in enrollments()] == [EnrollmentStatus.WAITING, EnrollmentStatus.WAITING]
    page = client.get(f"/my/monitoring/product/{product.id}/code").get_data(as_text=True)
    assert "You are on the waiting list" in page and "amina@<wbr>example.<wbr>org" in page
    assert code_mails() == []

    report = add_codes(product, "W-1")  # one code: the first to wait gets it
    assert report.served == 1
    first, second = enrollments()
    assert (first.status, second.status) == (EnrollmentStatus.ENROLLED, EnrollmentStatus.WAITING)
    [mail] = code_mails()
    assert mail.to_address == "amina@example.org" and "W-1" in mail.body_text
    assert "W-1" in without_tags(client.get(f"/my/monitoring/product/{product.id}/code").get_data(as_text=True))

    # Someone enrolling now cannot overtake the person still waiting.
    newcomer = make_person("C-3", country="KE")
    expose(newcomer, incident, "contact")
    assert enroll(newcomer, product, "127.0.0.1").status == EnrollmentStatus.WAITING
    add_codes(product, "W-2")
    assert [e.status for e in enrollments()] == [
        EnrollmentStatus.ENROLLED,
        EnrollmentStatus.ENROLLED,
        EnrollmentStatus.WAITING,
    ]
    assert [m.to_address for m in code_mails()] == ["amina@example.org", later.email]


def test_after_the_deadline_enrollment_is_refused_with_a_clear_message(client, app_ctx):
    incident = make_incident(enrollment_deadline=PAST)
    person = make_person(country="KE")
    expose(person, incident, "contact")
    product = make_product(incident)
    add_codes(product, "KR-1")
    sign_in(client, person)
    page = client.get(f"/my/monitoring/product/{product.id}").get_data(as_text=True)
    assert "Enrollment has closed" in page and "January 1, 2020" in page
    response = client.post(f"/my/monitoring/product/{product.id}", data={"consent": "y"})
    assert response.status_code == 403 and "Enrollment has closed" in response.get_data(as_text=True)
    assert "Enrollment has closed" in client.get(f"/my/monitoring/{incident.id}").get_data(as_text=True)
    assert enrollments() == []


def test_the_deadline_day_is_open_until_it_has_ended_everywhere(app_ctx):
    incident = make_incident()
    latest_today = (utcnow() - LATEST_UTC_OFFSET).date()
    incident.enrollment_deadline = latest_today
    assert enrollment_is_open(incident)
    incident.enrollment_deadline = latest_today - timedelta(days=1)
    assert not enrollment_is_open(incident)
    incident.enrollment_deadline = None
    assert enrollment_is_open(incident)


def test_people_who_waited_before_the_deadline_are_still_served_after_it(incident, person):
    product = make_product(incident)
    enroll(person, product, "127.0.0.1")
    incident.enrollment_deadline = PAST
    db.session.commit()
    assert add_codes(product, "LATE-1").served == 1


def test_codes_are_stored_encrypted_bound_to_their_product_and_never_logged(incident, person, caplog):
    caplog.set_level(logging.DEBUG)
    product = make_product(incident)
    other = make_product(incident, name="Other")
    add_codes(product, "SECRET-CODE-77")
    enroll(person, product, "127.0.0.1")
    row = db.session.scalar(select(ActivationCode))
    assert "SECRET-CODE-77" not in row.code_enc
    with pytest.raises(DecryptionError):
        crypto().cipher.decrypt(row.code_enc, f"activation:{other.id}")
    assert "SECRET-CODE-77" not in caplog.text
    assert all("SECRET-CODE-77" not in event.details for event in db.session.scalars(select(AuditEvent)))


def test_the_code_page_without_an_enrollment_goes_to_check_your_answers(client, incident, person):
    product = make_product(incident)
    sign_in(client, person)
    response = client.get(f"/my/monitoring/product/{product.id}/code")
    assert response.status_code == 302 and response.location.endswith(f"/my/monitoring/product/{product.id}")


def test_monitoring_pages_are_not_cached(client, incident, person):
    product = make_product(incident)
    sign_in(client, person)
    assert client.get(f"/my/monitoring/product/{product.id}").headers["Cache-Control"] == "no-store"

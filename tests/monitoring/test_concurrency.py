"""Two people can never get the same activation code, however their requests interleave.

The threaded test runs only in the PostgreSQL pass: there, 20 requests really do run at once in
20 transactions and the code is picked with ``FOR UPDATE SKIP LOCKED``. On SQLite that test would
prove little (SQLite lets one writer in at a time, so the requests would queue up and pass
trivially), so the SQLite pass instead checks the guard that does not depend on locking at all:
the compare-and-set ``UPDATE … WHERE enrollment_id IS NULL`` that makes a request which read a
code as free, after someone else took it, move on to another code (``test_a_stale_pick…``). Those
guard tests run on both databases.
"""

import threading

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from portal.constants import AuditAction, EnrollmentStatus
from portal.core.time import utcnow
from portal.dao import monitoring as monitoring_dao
from portal.extensions import db
from portal.models import ActivationCode, AuditEvent, MonitoringEnrollment, MonitoringProduct, Person
from portal.monitoring.service import enroll, reveal_code
from tests.claims.test_one_shot import TABS
from tests.conftest import ON_POSTGRES
from tests.factories import expose, give_notice_code, make_incident, make_person
from tests.live import race
from tests.monitoring.helpers import FUTURE, add_codes, code_mails, make_product

THREADS = 20
CODES = 15


def _waiting_enrollment(person, product) -> MonitoringEnrollment:
    enrollment = MonitoringEnrollment(
        person_id=person.id, product_id=product.id, status=EnrollmentStatus.WAITING, consented_at=utcnow()
    )
    db.session.add(enrollment)
    db.session.commit()
    return enrollment


@pytest.mark.postgres_only
@pytest.mark.skipif(not ON_POSTGRES, reason="needs real concurrent writers (PostgreSQL); see the module docstring")
def test_parallel_enrollments_get_distinct_codes_and_the_rest_wait(app, app_ctx):
    incident = make_incident(enrollment_deadline=FUTURE)
    product = make_product(incident)
    add_codes(product, *(f"PAR-{n:03d}" for n in range(CODES)))
    person_ids = []
    for n in range(THREADS):
        person = make_person(f"C-{n:03d}", country="KE")
        expose(person, incident, "contact")
        person_ids.append(person.id)
    product_id = product.id
    start = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def enroll_one(person_id: int) -> None:
        try:
            with app.app_context():
                person = db.session.get(Person, person_id)
                chosen = db.session.get(MonitoringProduct, product_id)
                # Hand the connection back: 20 threads holding one each at the barrier would exhaust
                # the pool (5 + 10 overflow) before all of them arrived.
                db.session.rollback()
                start.wait(timeout=30)
                enroll(person, chosen, "203.0.113.7")
                db.session.remove()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=enroll_one, args=(pid,)) for pid in person_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    db.session.expire_all()

    enrollments = db.session.scalars(select(MonitoringEnrollment)).all()
    assert len(enrollments) == THREADS
    served = [e for e in enrollments if e.status == EnrollmentStatus.ENROLLED]
    assert len(served) == CODES and sum(e.status == EnrollmentStatus.WAITING for e in enrollments) == THREADS - CODES
    assigned = db.session.scalars(select(ActivationCode).where(ActivationCode.enrollment_id.is_not(None))).all()
    assert sorted(code.enrollment_id for code in assigned) == sorted(e.id for e in served)
    codes = [reveal_code(code) for code in assigned]
    assert len(set(codes)) == CODES
    mailed = [mail.body_text for mail in code_mails()]
    assert len(mailed) == CODES and all(sum(code in body for body in mailed) == 1 for code in codes)

    # The codes that arrive later go to the five who waited, and still to nobody twice.
    assert add_codes(product, *(f"LATE-{n}" for n in range(THREADS - CODES))).served == THREADS - CODES
    assigned = db.session.scalars(select(ActivationCode.enrollment_id)).all()
    assert len(assigned) == len(set(assigned)) == THREADS


def test_a_stale_pick_of_a_code_someone_just_took_moves_on_to_a_free_one(app_ctx, monkeypatch):
    incident = make_incident(enrollment_deadline=FUTURE)
    product = make_product(incident)
    add_codes(product, "FIRST", "SECOND")
    winner, loser = make_person("C-W", country="KE"), make_person("C-L", country="KE")
    first = db.session.scalar(select(ActivationCode).order_by(ActivationCode.id))
    # The winner's request took FIRST ...
    winner_enrollment = _waiting_enrollment(winner, product)
    first.enrollment_id = winner_enrollment.id
    db.session.commit()
    # ... but the loser's request had already read FIRST as free (the read that raced the winner).
    loser_enrollment = _waiting_enrollment(loser, product)
    real_pick, stale = monitoring_dao._pick_free_code_id, iter([first.id])
    monkeypatch.setattr(monitoring_dao, "_pick_free_code_id", lambda pid: next(stale, None) or real_pick(pid))

    code = monitoring_dao.dao_claim_activation_code(product.id, loser_enrollment.id, utcnow())
    db.session.commit()
    assert reveal_code(code) == "SECOND"
    db.session.refresh(first)
    assert first.enrollment_id == winner_enrollment.id  # not overwritten


def test_a_waiting_enrollment_is_served_by_one_request_only(app_ctx):
    incident = make_incident(enrollment_deadline=FUTURE)
    product = make_product(incident)
    enrollment = _waiting_enrollment(make_person(country="KE"), product)
    assert monitoring_dao.dao_mark_enrollment_served(enrollment.id, utcnow()) is True
    assert monitoring_dao.dao_mark_enrollment_served(enrollment.id, utcnow()) is False


def test_the_database_refuses_one_enrollment_two_codes(app_ctx):
    incident = make_incident(enrollment_deadline=FUTURE)
    product = make_product(incident)
    add_codes(product, "ONE", "TWO")
    enrollment = _waiting_enrollment(make_person(country="KE"), product)
    for code in db.session.scalars(select(ActivationCode)).all():
        code.enrollment_id = enrollment.id
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_one_persons_concurrent_enrollments_give_one_code_and_one_email(app_ctx, live_browser):
    """A double tap on "Get my code", eight tabs at once against the threaded server: one enrollment,
    one code assigned (audited once), one email; every tab lands on the code page."""
    incident = make_incident(enrollment_deadline=FUTURE)
    product = make_product(incident)
    add_codes(product, "CODE-ONE", "CODE-TWO", "CODE-THREE")
    person = make_person("C-TAP", country="KE")
    expose(person, incident, "contact")
    live_browser.sign_in_contractor(give_notice_code(person, incident), person.last_name, "1990-03-27")
    tabs = [live_browser.tab() for _ in range(TABS)]
    answers = race(tabs, f"/my/monitoring/product/{product.id}", consent="y")

    assert all(a.status == 302 and a.location.endswith(f"/product/{product.id}/code") for a in answers), [
        (a.status, a.text[:200]) for a in answers
    ]
    db.session.expire_all()
    assert len(db.session.scalars(select(MonitoringEnrollment)).all()) == 1
    assert len(db.session.scalars(select(ActivationCode).where(ActivationCode.enrollment_id.is_not(None))).all()) == 1
    assert len(code_mails()) == 1
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == AuditAction.MONITORING_CODE_ASSIGNED))
    assert len(events.all()) == 1

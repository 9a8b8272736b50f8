"""Privacy in production mode: over HTTPS with CSRF on, gunicorn's workers serve the record download,
take an erasure request, and of two lawyers deciding it at the same moment exactly one does."""

import http.client
import io
import ssl
import threading

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from portal.constants import AuditAction, DataRequestStatus, Role
from portal.extensions import db
from portal.models import AuditEvent, DataRequest, Person
from tests.factories import check_form, make_incident
from tests.privacy.support import make_someone
from tests.production.conftest import needs_postgres
from tests.production.https import Visitor, signed_in_staff

pytestmark = needs_postgres


@pytest.fixture
def server(production_server, fresh_limits):
    return production_server


def fetch_bytes(server, visitor: Visitor, path: str):
    """The visitor's client decodes bodies as text; a PDF is read here as bytes, with its cookies."""
    context = ssl.create_default_context(cafile=str(server.certificate))
    connection = http.client.HTTPSConnection(visitor.host, visitor.port, context=context, timeout=30)
    try:
        cookie = "; ".join(f"{name}={value}" for name, value in visitor.cookies.items())
        connection.request("GET", path, headers={"Cookie": cookie})
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()


def signed_in_lawyer(server, name: str) -> Visitor:
    return signed_in_staff(server, f"{name}@example.org", Role.LEGAL)


def test_record_request_and_one_decision_over_https(server, app_ctx):
    amina = make_someone(make_incident(), "PRD1")
    contractor = Visitor(server.url, server.certificate)
    contractor.get("/check")
    answer = contractor.post("/check", check_form(amina.code, amina.last_name, amina.birth_date))
    assert answer.status == 302 and answer.location.endswith("/my"), answer.body[:300]

    status, headers, body = fetch_bytes(server, contractor, "/my/record.pdf")
    assert status == 200 and headers["Content-Type"] == "application/pdf" and headers["Cache-Control"] == "no-store"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)
    assert amina.last_name in text and amina.claim.reference in text

    contractor.get("/my/requests")
    assert contractor.post("/my/requests", {"kind": "erasure"}).status == 302
    request = db.session.scalars(select(DataRequest)).one()

    lawyers = [signed_in_lawyer(server, f"legal-{n}") for n in range(2)]
    for lawyer in lawyers:
        lawyer.get(f"/staff/privacy/requests/{request.id}")
    start, statuses = threading.Barrier(len(lawyers)), []

    def decide(lawyer):
        start.wait()
        statuses.append(
            lawyer.post(f"/staff/privacy/requests/{request.id}", {"decision": "grant", "reason": "Art. 17"}).status
        )

    threads = [threading.Thread(target=decide, args=(lawyer,)) for lawyer in lawyers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(statuses) == [302, 409], statuses
    db.session.expire_all()
    assert db.session.get(DataRequest, request.id).status == DataRequestStatus.GRANTED
    assert db.session.get(Person, amina.person.id).email == ""
    erased = db.session.scalars(select(AuditEvent).where(AuditEvent.action == AuditAction.PERSON_ERASED)).all()
    assert len(erased) == 1

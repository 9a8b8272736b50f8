"""A contractor asks; support see the queue; legal decides once, with a reason, audited."""

import json
import re

from sqlalchemy import func, select

from portal.constants import AuditAction, DataRequestStatus, Role
from portal.core.time import utctoday
from portal.extensions import db
from portal.models import AuditEvent, DataRequest
from portal.privacy.deadlines import response_deadline
from tests.factories import make_incident, sign_in_staff
from tests.privacy.support import make_someone, sign_in_as


def ask(client, kind, details=""):
    client.get("/my/requests")
    return client.post("/my/requests", data={"kind": kind, "details": details})


def test_a_contractor_asks_and_sees_the_date_we_must_answer_by(client, app_ctx):
    amina = make_someone(make_incident(), "AAA1", country="BR")
    sign_in_as(client, amina)
    assert ask(client, "erasure").status_code == 302
    row = db.session.scalars(select(DataRequest)).one()
    assert (row.kind, row.status, row.jurisdiction) == ("erasure", "open", "BR")
    assert row.due_on == response_deadline("BR", "", utctoday()).due_on
    page = client.get("/my/requests").get_data(as_text=True)
    assert "waiting; we will answer by" in page
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == AuditAction.DATA_REQUEST_MADE)).one()
    assert json.loads(event.details)["kind"] == "erasure" and amina.email not in event.details


def test_a_second_request_of_the_same_kind_waits_for_the_first(client, app_ctx):
    amina = make_someone(make_incident(), "AAA1")
    sign_in_as(client, amina)
    ask(client, "access")
    ask(client, "access")
    assert db.session.scalar(select(func.count()).select_from(DataRequest)) == 1
    assert ask(client, "correction").status_code == 400  # a correction must say what is wrong
    assert ask(client, "correction", "My last name is spelt Mwangi").status_code == 302
    assert db.session.scalar(select(func.count()).select_from(DataRequest)) == 2


def test_support_see_the_queue_legal_decide_with_a_reason(app, client, app_ctx):
    amina = make_someone(make_incident(), "AAA1")
    sign_in_as(client, amina)
    ask(client, "access")
    row = db.session.scalars(select(DataRequest)).one()
    support = app.test_client()
    sign_in_staff(support, Role.SUPPORT)
    assert f"#{row.id}" in support.get("/staff/privacy/requests").get_data(as_text=True)
    page = support.get(f"/staff/privacy/requests/{row.id}")
    assert page.status_code == 200 and "Legal decides data requests." in page.get_data(as_text=True)
    assert (
        support.post(f"/staff/privacy/requests/{row.id}", data={"decision": "grant", "reason": "x"}).status_code == 403
    )
    auditor = app.test_client()
    sign_in_staff(auditor, Role.AUDITOR)
    assert auditor.get("/staff/privacy/requests").status_code == 403

    legal = app.test_client()
    sign_in_staff(legal, Role.LEGAL)
    legal.get(f"/staff/privacy/requests/{row.id}")
    assert legal.post(f"/staff/privacy/requests/{row.id}", data={"decision": "grant", "reason": ""}).status_code == 400
    answer = legal.post(
        f"/staff/privacy/requests/{row.id}", data={"decision": "refuse", "reason": "Sent the copy by post instead"}
    )
    assert answer.status_code == 302
    db.session.refresh(row)
    assert row.status == DataRequestStatus.REFUSED and row.decision_reason == "Sent the copy by post instead"
    decided = db.session.scalars(select(AuditEvent).where(AuditEvent.action == AuditAction.DATA_REQUEST_DECIDED)).one()
    assert json.loads(decided.details) == {"kind": "access", "decision": "refused"}
    assert "refused: Sent the copy by post instead" in client.get("/my/requests").get_data(as_text=True)


def test_legal_downloads_the_copy_for_an_access_request_support_cannot(app, client, app_ctx):
    incident = make_incident()
    amina, other = make_someone(incident, "AAA1"), make_someone(incident, "BBB2")
    sign_in_as(client, amina)
    ask(client, "access")
    row = db.session.scalars(select(DataRequest)).one()
    support = app.test_client()
    sign_in_staff(support, Role.SUPPORT)
    assert support.get(f"/staff/privacy/requests/{row.id}/copy.json").status_code == 403
    legal = app.test_client()
    user = sign_in_staff(legal, Role.LEGAL)
    assert "s data copy (JSON)" in legal.get(f"/staff/privacy/requests/{row.id}").get_data(as_text=True)
    copy = legal.get(f"/staff/privacy/requests/{row.id}/copy.json")
    assert copy.status_code == 200 and copy.get_json()["person"]["email"] == amina.email
    assert other.email not in copy.get_data(as_text=True)
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == AuditAction.RECORD_DOWNLOADED)).one()
    assert event.actor == f"staff:{user.id}" and json.loads(event.details)["data_request"] == row.id
    assert legal.get("/staff/privacy/requests/999/copy.json").status_code == 404


def test_the_kind_is_a_set_of_radios_and_no_choice_says_what_to_do(client, app_ctx):
    """Radios, not a select: a closed select shows one line and cut the longer languages' labels
    short on a phone; radio labels wrap. No choice: the error summary links to the question."""
    sign_in_as(client, make_someone(make_incident(), "AAA3"))
    page = client.get("/my/requests").get_data(as_text=True)
    assert '<fieldset class="fieldset" id="kind"' in page and '<select id="kind"' not in page
    assert len(re.findall(r"<input[^>]*name=\"kind\"[^>]*type=\"radio\"", page)) == 3
    answer = client.post("/my/requests", data={"details": ""})
    text = answer.get_data(as_text=True)
    assert answer.status_code == 400 and '<a href="#kind">Choose what you are asking for</a>' in text
    assert db.session.scalar(select(func.count()).select_from(DataRequest)) == 0

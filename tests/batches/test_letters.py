"""Letter batches: the encrypted mail-merge file, its codes, CSV-injection safety and the audited download."""

import csv
import hashlib
import io
import json
from pathlib import Path

import pytest
from sqlalchemy import select

from portal.batches.audience import Audience
from portal.batches.letters import letter_aad, letters_folder
from portal.batches.service import batch_fingerprint
from portal.constants import AuditAction, BatchStatus, Channel, NoticeCodeSource, NotificationStatus
from portal.core.csv_safety import neutralise
from portal.crypto import crypto
from portal.extensions import db
from portal.models import AuditEvent, Batch, NoticeCode, Notification
from tests.batches.helpers import make_batch, make_template, notify
from tests.factories import check_form

pytestmark = pytest.mark.usefixtures("app_ctx")


@pytest.fixture
def letter_batch(incident, admin, person_in):
    _client, creator = admin
    person_in("C-1", first_name="Amina", last_name="Okafor", date_of_birth="1990-03-27")
    person_in("C-2", first_name='=HYPERLINK("http://evil.example")', last_name="+Sum", date_of_birth="1985-11-02")
    return make_batch(incident, make_template(incident), creator, channel=Channel.LETTER)


def _approve(client, batch):
    db.session.refresh(batch)
    return client.post(f"/staff/batches/{batch.id}/approve", data={"fingerprint": batch_fingerprint(batch)})


def _rows(data: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"))))


def test_approval_makes_an_encrypted_letter_file_and_accepts_every_letter(second_admin, letter_batch, app):
    client, _user = second_admin
    assert _approve(client, letter_batch).status_code == 302
    batch = db.session.get(Batch, letter_batch.id)
    db.session.refresh(batch)
    assert batch.status == BatchStatus.SENT and batch.letter_file
    path = letters_folder() / batch.letter_file
    assert Path(app.instance_path) in path.parents and "static" not in path.parts
    stored = path.read_text()
    assert "Okafor" not in stored and "contractor_id" not in stored
    plain = crypto().cipher.decrypt(stored, letter_aad(batch.id))
    assert hashlib.sha256(plain.encode()).hexdigest() == batch.letter_sha256
    rows = _rows(plain.encode())
    assert [r["contractor_id"] for r in rows] == ["C-1", "C-2"]
    assert rows[0]["address_line1"] == "1 Moi Avenue" and rows[0]["city"] == "Nairobi"
    assert rows[0]["language"] == "en" and "## What happened" not in rows[0]["body"]
    assert rows[0]["notice_code"] in rows[0]["body"]
    notifications = db.session.scalars(select(Notification).where(Notification.batch_id == batch.id)).all()
    assert {n.status for n in notifications} == {NotificationStatus.ACCEPTED}
    codes = db.session.scalars(select(NoticeCode).where(NoticeCode.id.in_([n.notice_code_id for n in notifications])))
    assert {c.source for c in codes} == {NoticeCodeSource.NOTICE}


def test_the_downloaded_file_is_an_attachment_audited_with_its_sha256(admin, second_admin, letter_batch):
    approver, _user = second_admin
    _approve(approver, letter_batch)
    client, user = admin
    response = client.get(f"/staff/batches/{letter_batch.id}/letters.csv")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.mimetype == "text/csv"
    digest = hashlib.sha256(response.data).hexdigest()
    batch = db.session.get(Batch, letter_batch.id)
    assert digest == batch.letter_sha256
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == AuditAction.LETTER_FILE_DOWNLOADED))
    assert event.actor == f"staff:{user.id}" and json.loads(event.details)["sha256"] == digest
    created = db.session.scalar(select(AuditEvent.details).where(AuditEvent.action == AuditAction.LETTER_FILE_CREATED))
    assert json.loads(created)["sha256"] == digest


def test_cells_a_spreadsheet_would_run_are_neutralised(second_admin, letter_batch, admin):
    approver, _user = second_admin
    _approve(approver, letter_batch)
    client, _user = admin
    row = _rows(client.get(f"/staff/batches/{letter_batch.id}/letters.csv").data)[1]
    assert row["first_name"] == '\'=HYPERLINK("http://evil.example")'
    assert row["last_name"] == "'+Sum"
    for value in ("=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"):
        assert neutralise(value) == "'" + value
    assert neutralise("Okafor") == "Okafor"


def test_the_notice_code_in_the_letter_works_at_check(second_admin, letter_batch, admin, app):
    approver, _user = second_admin
    _approve(approver, letter_batch)
    client, _user = admin
    row = _rows(client.get(f"/staff/batches/{letter_batch.id}/letters.csv").data)[0]
    contractor = app.test_client()
    response = contractor.post("/check", data=check_form(row["notice_code"], "Okafor", "1990-03-27"))
    assert response.status_code == 302 and response.location.endswith("/my")


def test_a_batch_without_a_letter_file_has_nothing_to_download(admin, incident):
    client, creator = admin
    batch = make_batch(incident, make_template(incident), creator)
    assert client.get(f"/staff/batches/{batch.id}/letters.csv").status_code == 404


def test_re_mailing_the_bounced_by_letter_is_one_button(admin, second_admin, incident, person_in):
    client, creator = admin
    bounced = person_in("C-BOUNCED")
    delivered = person_in("C-OK")
    version = make_template(incident)
    email_batch = make_batch(incident, version, creator, status=BatchStatus.SENT)
    notify(email_batch, bounced, NotificationStatus.BOUNCED, last_error="550 mailbox unavailable")
    notify(email_batch, delivered, NotificationStatus.DELIVERED)
    page = client.get(f"/staff/batches/{email_batch.id}").get_data(as_text=True)
    assert "Create a letter batch for the bounced" in page and "550 mailbox unavailable" in page
    response = client.post(f"/staff/batches/{email_batch.id}/letters-for-bounced", data={})
    assert response.status_code == 302
    letters = db.session.scalar(select(Batch).where(Batch.channel == Channel.LETTER))
    assert response.location.endswith(f"/staff/batches/{letters.id}")
    assert (letters.status, letters.template_version_id) == (BatchStatus.DRAFT, version.id)
    assert Audience.from_json(letters.audience) == Audience(last_bounced=True)
    approver, _user = second_admin
    _approve(approver, letters)
    assert db.session.get(Batch, letters.id).audience_count == 1
    row = _rows(client.get(f"/staff/batches/{letters.id}/letters.csv").data)
    assert [r["contractor_id"] for r in row] == ["C-BOUNCED"]

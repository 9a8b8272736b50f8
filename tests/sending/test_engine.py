"""The happy path through SendGrid and the outbox: claim, codes, one request per chunk, states."""

import json
from datetime import timedelta

import pytest
from sqlalchemy import event, func, select

from portal.constants import BatchStatus, MailKind, NoticeCodeSource
from portal.crypto.notice_codes import normalize_notice_code, notice_code_hash
from portal.dao.notice_codes import dao_get_live_notice_code
from portal.extensions import db
from portal.models import Batch, NoticeCode, Notification, OutboxMessage
from portal.sending.pipeline import send_until_idle
from portal.sending.service import batch_status_counts, dispatch_batch
from tests.conftest import ON_POSTGRES
from tests.factories import make_batch_with_notifications
from tests.sending.conftest import all_ids, assert_nobody_mailed_twice, statuses


def test_a_batch_goes_out_in_chunks_of_at_most_1000(sendgrid_app, fake_sendgrid):
    batch = make_batch_with_notifications(2500, status=BatchStatus.APPROVED)
    dispatch_batch(batch.id)  # inline engine in tests: returns when nothing is due
    assert statuses(batch.id) == {"accepted": 2500}
    assert [r.personalizations for r in fake_sendgrid.requests] == [1000, 1000, 500]
    assert sorted(fake_sendgrid.ids_answered(202)) == sorted(all_ids(batch.id))
    assert_nobody_mailed_twice(fake_sendgrid)
    assert not fake_sendgrid.problems
    db.session.expire_all()
    assert db.session.get(Batch, batch.id).status == BatchStatus.SENT
    assert db.session.get(Batch, batch.id).finished_at is not None
    message_ids = set(db.session.scalars(select(Notification.provider_message_id)))
    assert len(message_ids) == 3 and "" not in message_ids


def test_one_request_shares_one_content_per_language(sendgrid_app, fake_sendgrid):
    contents = {
        "en": ("Notice for ((first_name))", "Hello ((first_name)), code ((notice_code))"),
        "es": ("Aviso para ((first_name))", "Hola ((first_name)), código ((notice_code))"),
    }
    batch = make_batch_with_notifications(6, languages=("en", "es"), contents=contents)
    send_until_idle()
    assert len(fake_sendgrid.requests) == 2
    subjects = sorted(r.payload["subject"] for r in fake_sendgrid.requests)
    assert subjects == ["Aviso para -first_name-", "Notice for -first_name-"]
    assert statuses(batch.id) == {"accepted": 6}


def test_each_recipient_gets_the_national_id_wording_of_their_own_country(sendgrid_app, fake_sendgrid):
    make_batch_with_notifications(3, countries=("US", "KE", "AR"))
    send_until_idle()
    (request,) = fake_sendgrid.requests
    assert "-national_id_name-" in request.payload["content"][0]["value"]
    wordings = sorted(p["substitutions"]["-national_id_name-"] for p in request.payload["personalizations"])
    kenya, us = "KRA PIN or national ID number", "Social Security number or ITIN"
    assert wordings == [kenya, us, "national identity or tax number"]


def test_the_payload_carries_only_an_id_in_custom_args_and_bypasses_only_unsubscribes(sendgrid_app, fake_sendgrid):
    make_batch_with_notifications(2)
    send_until_idle()
    payload = fake_sendgrid.requests[0].payload
    assert payload["mail_settings"] == {"bypass_unsubscribe_management": {"enable": True}}
    assert "categories" not in payload and "custom_args" not in payload
    assert payload["from"] == {"email": sendgrid_app.config["MAIL_FROM"]}
    assert payload["reply_to"] == {"email": "help@example.org"}
    assert [c["type"] for c in payload["content"]] == ["text/plain", "text/html"]
    for personalization in payload["personalizations"]:
        assert set(personalization["custom_args"]) == {"notification_id"}
        assert isinstance(personalization["custom_args"]["notification_id"], str)
        subs = personalization["substitutions"]
        assert subs["-first_name-"].startswith("Amina")
        assert subs["-exposed_categories_html-"] == "• National identity or tax number<br>\n• Home address"
        assert all(isinstance(v, str) for v in subs.values())
        assert len(json.dumps(subs).encode()) < 10_000
    assert "-notice_code-" in payload["content"][0]["value"]
    assert "-notice_code_html-" in payload["content"][1]["value"]
    assert "/check" in payload["content"][0]["value"]  # shared values are filled in, not substituted


def test_each_notice_issues_a_fresh_code_that_verifies_and_only_its_hash_is_stored(sendgrid_app, fake_sendgrid):
    batch = make_batch_with_notifications(3)
    send_until_idle()
    for personalization in fake_sendgrid.requests[0].payload["personalizations"]:
        code = personalization["substitutions"]["-notice_code-"]
        normalized = normalize_notice_code(code)
        assert normalized
        stored = dao_get_live_notice_code(notice_code_hash(normalized))
        assert stored is not None and stored.source == NoticeCodeSource.NOTICE
        notification = db.session.get(Notification, int(personalization["custom_args"]["notification_id"]))
        assert notification.notice_code_id == stored.id and stored.person_id == notification.person_id
        assert stored.incident_id == db.session.get(Batch, batch.id).incident_id
        assert db.session.scalar(select(func.count()).where(NoticeCode.code_hash == code)) == 0


def test_codes_pair_with_their_own_people_after_earlier_and_deleted_codes(sendgrid_app, fake_sendgrid, override_config):
    # Each chunk's codes are joined to its notifications by the ids the INSERT gave them; earlier
    # codes, and a deleted newest one (SQLite reuses its rowid), must not shift that pairing.
    override_config(SEND_CHUNK_SIZE=3, SEND_CLAIM_CHUNKS=2)
    make_batch_with_notifications(4)
    send_until_idle()
    newest = db.session.scalar(select(NoticeCode).order_by(NoticeCode.id.desc()).limit(1))
    db.session.delete(newest)
    db.session.commit()
    fake_sendgrid.reset()
    batch = make_batch_with_notifications(7, categories=())
    statements = []

    def record(conn, cursor, statement, *rest):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        send_until_idle()
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    # Every row was paired by its code's id: none needed the slower pairing by hash.
    assert not [s for s in statements if s.startswith("UPDATE notification") and "code_hash" in s]
    mailed = [p for r in fake_sendgrid.requests for p in r.payload["personalizations"]]
    assert len(mailed) == 7 and statuses(batch.id) == {"accepted": 7}
    for personalization in mailed:
        stored = dao_get_live_notice_code(
            notice_code_hash(normalize_notice_code(personalization["substitutions"]["-notice_code-"]))
        )
        notification = db.session.get(Notification, int(personalization["custom_args"]["notification_id"]))
        assert notification.notice_code_id == stored.id and stored.person_id == notification.person_id
        assert personalization["substitutions"]["-exposed_categories-"] == ""  # no exposure, no list


def test_a_wrong_guess_at_the_codes_numbering_still_pairs_each_code_with_its_person(
    sendgrid_app, fake_sendgrid, monkeypatch
):
    from portal.dao import notification_queue

    guesses = []

    def off_by_one(connection, count):
        guesses.append(count)
        return real(connection, count) + 1  # as if SQLite had numbered the rows some other way

    real = notification_queue._first_inserted_id
    monkeypatch.setattr(notification_queue, "_first_inserted_id", off_by_one)
    batch = make_batch_with_notifications(5)
    send_until_idle()
    assert statuses(batch.id) == {"accepted": 5}
    assert guesses or ON_POSTGRES  # PostgreSQL numbers the codes from its sequence instead
    for personalization in fake_sendgrid.requests[0].payload["personalizations"]:
        stored = dao_get_live_notice_code(
            notice_code_hash(normalize_notice_code(personalization["substitutions"]["-notice_code-"]))
        )
        notification = db.session.get(Notification, int(personalization["custom_args"]["notification_id"]))
        assert notification.notice_code_id == stored.id and stored.person_id == notification.person_id


def test_the_outbox_backend_keeps_each_notice_as_its_recipient_would_read_it(app_ctx):
    batch = make_batch_with_notifications(3, status=BatchStatus.APPROVED)
    dispatch_batch(batch.id)
    assert statuses(batch.id) == {"delivered": 3}
    messages = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert len(messages) == 3 and {m.kind for m in messages} == {MailKind.NOTICE}
    for message in messages:
        notification = db.session.get(Notification, message.notification_id)
        assert message.subject == "Notice of Data Breach: Contractor records breach"
        assert "-notice_code" not in message.body_text and "-first_name" not in message.body_html
        assert "<h2>What happened</h2>" in message.body_html
        code = message.body_text.split("Your notice code: ")[1].split()[0]
        assert dao_get_live_notice_code(notice_code_hash(normalize_notice_code(code))).id == notification.notice_code_id
    db.session.expire_all()
    assert db.session.get(Batch, batch.id).status == BatchStatus.SENT


def test_counts_cover_every_status(app_ctx):
    batch = make_batch_with_notifications(2)
    counts = batch_status_counts(batch.id)
    assert counts["queued"] == 2 and counts["unknown"] == 0 and "cancelled" in counts


def test_a_person_without_an_email_fails_with_a_reason(sendgrid_app, fake_sendgrid):
    batch = make_batch_with_notifications(2, emails=False)
    send_until_idle()
    assert statuses(batch.id) == {"failed": 2}
    assert not fake_sendgrid.requests


def test_a_scheduled_batch_waits_for_its_time(app_ctx):
    from portal.core.time import utcnow
    from portal.sending.service import dispatch_due_batches

    batch = make_batch_with_notifications(2, status=BatchStatus.SCHEDULED)
    batch.scheduled_for = utcnow() + timedelta(hours=1)
    db.session.commit()
    dispatch_batch(batch.id)
    assert dispatch_due_batches() == 0
    assert statuses(batch.id) == {"queued": 2}
    assert dispatch_due_batches(now=utcnow() + timedelta(hours=2)) == 1
    assert statuses(batch.id) == {"delivered": 2}


@pytest.mark.parametrize("status", [BatchStatus.DRAFT, BatchStatus.CANCELLED, BatchStatus.SENT])
def test_only_an_approved_batch_can_be_dispatched(app_ctx, status):
    from portal.sending.service import SendingError

    batch = make_batch_with_notifications(1, status=status)
    with pytest.raises(SendingError):
        dispatch_batch(batch.id)
    assert statuses(batch.id) == {"queued": 1}


def test_an_outbox_settle_refused_once_and_tried_again_still_stores_every_mail(app_ctx, monkeypatch):
    """The outbox "posts" by writing: the write rolled back with a refused settling transaction
    must be written again by the retry, not lost while its rows are recorded delivered."""
    from sqlalchemy.exc import OperationalError

    from portal.sending import settle

    lock_batch = settle.dao_lock_batch
    refusals = []

    def locked_once(*args, **kwargs):
        if not refusals:
            refusals.append(True)
            raise OperationalError("UPDATE batch", {}, Exception("database is locked"))
        return lock_batch(*args, **kwargs)

    monkeypatch.setattr(settle, "dao_lock_batch", locked_once)
    batch = make_batch_with_notifications(30, status=BatchStatus.APPROVED)
    dispatch_batch(batch.id)
    assert refusals and statuses(batch.id) == {"delivered": 30}
    stored = db.session.scalars(select(OutboxMessage.notification_id).where(OutboxMessage.kind == MailKind.NOTICE))
    assert sorted(str(nid) for nid in stored) == sorted(all_ids(batch.id))  # each mail stored, once

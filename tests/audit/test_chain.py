"""The keyed chain: what a database writer without AUDIT_KEYS can do, and what catches it."""

import hashlib
import threading

import pytest
from sqlalchemy import select, text

from portal import create_app
from portal.audit.chain import Anchor, head_anchor, record_audit, verify_chain
from portal.config import generate_secrets
from portal.constants import AuditAction
from portal.crypto import KeyRing
from portal.extensions import db
from portal.models import AuditCheckpoint, AuditEvent
from tests.conftest import ON_POSTGRES, SECRETS, test_config


def _events(n: int, start: int = 0) -> None:
    for i in range(start, start + n):
        record_audit(AuditAction.PERSON_VIEWED, f"person:{i}", {"n": i}, actor="staff:1")
    db.session.commit()


def _rows() -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).order_by(AuditEvent.seq)))


def test_events_are_numbered_without_gaps_and_signed_with_the_current_key(app_ctx):
    _events(3)
    rows = _rows()
    assert [row.seq for row in rows] == [1, 2, 3]
    assert {row.key_id for row in rows} == {"a1"}
    assert rows[1].prev_hash == rows[0].row_hash
    assert verify_chain(full=True).intact


def test_an_edited_row_is_named(app_ctx):
    _events(5)
    db.session.execute(text("UPDATE audit_event SET details = '{\"n\": 99}' WHERE seq = 3"))
    db.session.commit()
    report = verify_chain(full=True)
    assert report.problem_seq == 3 and "altered" in report.problem


def test_a_deleted_row_is_named_as_missing(app_ctx):
    _events(5)
    db.session.execute(text("DELETE FROM audit_event WHERE seq = 2"))
    db.session.commit()
    report = verify_chain(full=True)
    assert report.problem_seq == 2 and "missing" in report.problem


def test_a_deleted_tail_is_caught_against_an_anchor(app_ctx):
    _events(5)
    anchor, _ = head_anchor()
    assert anchor.seq == 5
    db.session.execute(text("DELETE FROM audit_event WHERE seq >= 4"))
    db.session.execute(text("DELETE FROM audit_checkpoint"))  # the writer covers their tracks too
    db.session.commit()
    assert verify_chain(full=True).intact  # without the anchor nothing shows
    report = verify_chain(full=True, anchor=anchor)
    assert report.problem_seq == 4 and "Events 4 to 5 are missing" in report.problem


def test_a_deleted_tail_is_caught_against_the_checkpoint_too(app_ctx):
    _events(5)
    assert verify_chain().intact  # the checkpoint moves to 5
    db.session.execute(text("DELETE FROM audit_event WHERE seq >= 4"))
    db.session.commit()
    report = verify_chain()
    assert report.problem_seq == 5 and "missing" in report.problem


def _rebuild(hash_row) -> None:
    """Edit event 2 and recompute every hash after it, as someone without the key would."""
    db.session.execute(text("UPDATE audit_event SET actor = 'staff:999' WHERE seq = 2"))
    prev = None
    for row in db.session.execute(text("SELECT * FROM audit_event ORDER BY seq")).mappings().all():
        prev_hash = row["prev_hash"] if prev is None else prev
        new_hash = hash_row(row, prev_hash)
        db.session.execute(
            text("UPDATE audit_event SET prev_hash = :p, row_hash = :h WHERE seq = :s"),
            {"p": prev_hash, "h": new_hash, "s": row["seq"]},
        )
        prev = new_hash
    db.session.commit()


def _fields(row, prev_hash):
    at = db.session.get(AuditEvent, row["id"]).at  # the timezone-aware value the writer hashed
    db.session.expire_all()
    return (prev_hash, at.isoformat(), row["actor"], row["action"], row["target"], row["ip"], row["details"])


def test_a_chain_rebuilt_with_plain_sha256_is_caught(app_ctx):
    _events(4)

    def sha(row, prev_hash):
        return hashlib.sha256("\x1f".join(_fields(row, prev_hash)).encode()).hexdigest()

    _rebuild(sha)
    report = verify_chain(full=True)
    assert report.problem_seq == 1 and "altered" in report.problem


def test_a_chain_rebuilt_with_a_guessed_key_is_caught(app_ctx):
    _events(4)
    guessed = KeyRing.from_spec(generate_secrets()["AUDIT_KEYS"], "guess")

    def mac(row, prev_hash):
        prev, at, *rest = _fields(row, prev_hash)
        return guessed.mac("a1", "\x1f".join((str(row["seq"]), "a1", prev, at, *rest)))

    _rebuild(mac)
    assert verify_chain(full=True).problem_seq == 1


def test_a_chain_rewritten_as_unsigned_is_caught_by_the_checkpoint_and_the_anchor(app_ctx):
    _events(4)
    anchor, _ = head_anchor()
    assert verify_chain().intact

    def unsigned(row, prev_hash):
        return hashlib.sha256("\x1f".join(_fields(row, prev_hash)).encode()).hexdigest()

    db.session.execute(text("UPDATE audit_event SET key_id = ''"))
    _rebuild(unsigned)
    assert verify_chain().problem_seq == 4  # the checkpoint's event no longer matches
    db.session.execute(text("DELETE FROM audit_checkpoint"))
    db.session.commit()
    assert verify_chain(anchor=anchor).problem_seq == 4


def test_a_forged_checkpoint_is_refused(app_ctx):
    _events(3)
    assert verify_chain().intact
    db.session.execute(text("UPDATE audit_event SET details = '{}' WHERE seq = 3"))
    db.session.execute(text("UPDATE audit_checkpoint SET seq = 3, mac = :m"), {"m": "0" * 64})
    db.session.commit()
    report = verify_chain()
    assert not report.intact and "checkpoint was altered" in report.problem


def test_verification_continues_from_the_checkpoint(app_ctx):
    _events(10)
    first = verify_chain()
    assert (first.checked_from, first.checked, first.head_seq) == (1, 10, 10)
    _events(2, start=10)
    second = verify_chain()
    assert (second.checked_from, second.checked, second.head_seq) == (11, 2, 12)
    checkpoint = db.session.get(AuditCheckpoint, 1)
    assert checkpoint.seq == 12


def test_an_unkeyed_segment_and_the_keyed_one_after_it_both_verify(app_ctx):
    """Rows from before keys (0001 to 0007 wrote plain SHA-256) stay; the keyed segment links to the last."""
    prev = "0" * 64
    for seq in (1, 2):
        record_audit(AuditAction.PERSON_VIEWED, f"person:{seq}", actor="staff:1")
        db.session.flush()
        row = db.session.scalar(select(AuditEvent).where(AuditEvent.seq == seq))
        row.key_id, row.prev_hash = "", prev
        row.row_hash = hashlib.sha256(
            "\x1f".join((prev, row.at.isoformat(), row.actor, row.action, row.target, row.ip, row.details)).encode()
        ).hexdigest()
        prev = row.row_hash
        db.session.commit()
    _events(2, start=2)
    rows = _rows()
    assert [r.key_id for r in rows] == ["", "", "a1", "a1"] and rows[2].prev_hash == rows[1].row_hash
    assert verify_chain(full=True).intact
    db.session.execute(text("UPDATE audit_event SET target = 'person:x' WHERE seq = 1"))
    db.session.commit()
    assert verify_chain(full=True).problem_seq == 1


def test_a_rotated_key_ring_verifies_old_and_new_rows(app_ctx, tmp_path):
    _events(2)
    old = SECRETS["AUDIT_KEYS"]
    new_key = generate_secrets()["AUDIT_KEYS"].replace("a1:", "a2:")
    same_db = app_ctx.config["SQLALCHEMY_DATABASE_URI"]
    rotated = create_app(test_config(tmp_path, SQLALCHEMY_DATABASE_URI=same_db, AUDIT_KEYS=f"{new_key},{old}"))
    with rotated.app_context():
        _events(2, start=2)
        assert [r.key_id for r in _rows()] == ["a1", "a1", "a2", "a2"]
        assert verify_chain(full=True).intact
        db.session.remove()
    without_old = create_app(test_config(tmp_path, SQLALCHEMY_DATABASE_URI=same_db, AUDIT_KEYS=new_key))
    with without_old.app_context():
        report = verify_chain(full=True)
        assert report.problem_seq == 1 and "does not hold" in report.problem
        db.session.remove()


def test_anchor_parsing_refuses_what_is_not_an_anchor():
    assert Anchor.parse(f"12:{'ab' * 32} 2026-12-06T02:00:00Z") == Anchor(12, "ab" * 32)
    for bad in ("", "12", "x:" + "a" * 64, "12:" + "g" * 64, "0:" + "a" * 64):
        with pytest.raises(ValueError):
            Anchor.parse(bad)


@pytest.mark.postgres_only
@pytest.mark.skipif(not ON_POSTGRES, reason="SQLite has one writer at a time; the race needs PostgreSQL")
def test_concurrent_writers_get_distinct_consecutive_numbers(app):
    def write(n):
        with app.app_context():
            for i in range(10):
                record_audit(AuditAction.PERSON_VIEWED, f"person:{n}-{i}", actor="staff:1")
                db.session.commit()
            db.session.remove()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with app.app_context():
        assert [r.seq for r in _rows()] == list(range(1, 61))
        assert verify_chain(full=True).intact


def test_cli_head_and_verify(app_ctx, runner):
    _events(3)
    head = runner.invoke(args=["portal", "audit", "head"])
    assert head.exit_code == 0, head.output
    anchor_text = head.output.split()[0]
    assert anchor_text == str(head_anchor()[0])
    ok = runner.invoke(args=["portal", "audit", "verify", "--anchor", anchor_text])
    assert ok.exit_code == 0 and "Intact: events 1 to 3" in ok.output
    db.session.execute(text("DELETE FROM audit_event WHERE seq = 3"))
    db.session.commit()
    broken = runner.invoke(args=["portal", "audit", "verify", "--full", "--anchor", anchor_text])
    assert broken.exit_code == 1 and "BROKEN at event 3" in broken.output
    bad = runner.invoke(args=["portal", "audit", "verify", "--anchor", "nonsense"])
    assert bad.exit_code == 2 and "64 hex" in bad.output

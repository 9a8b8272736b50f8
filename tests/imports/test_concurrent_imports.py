"""Two admins import the same register at the same moment (a double click, two tabs, two people).

Each import is one transaction; both must end with the register as one import would leave it:
every contractor once, with one uid, one notice code and one row per exposure. On PostgreSQL the
second waits for the first (an advisory lock); on SQLite one writer at a time is the database's
own rule, and the second either waits or is refused whole with nothing written.
"""

import html
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import pytest
from sqlalchemy import func, select

from portal.constants import Role
from portal.dao.imports import dao_lock_register_import
from portal.extensions import db
from portal.imports import service
from portal.imports.service import ImportReport, import_register
from portal.models import Exposure, Incident, NoticeCode, Person
from tests.factories import make_incident, sign_in_staff
from tests.imports.registers import person, table_counts, write_exposures, write_people
from tests.imports.test_routes import post, upload

PEOPLE = 300
IMPORTS_AT_ONCE = 3


def _codes(n: int) -> str:
    alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
    digits = "".join(alphabet[(n >> (5 * k)) & 31] for k in range(12))
    return f"{digits[:4]}-{digits[4:8]}-{digits[8:]}"


@contextmanager
def another_import_holding_on(app, release: threading.Event) -> Iterator[None]:
    """Another import (its own thread, connection and transaction) holds the import lock until
    ``release`` is set or the block ends."""
    held = threading.Event()

    def hold() -> None:
        with app.app_context():
            assert dao_lock_register_import()
            held.set()
            release.wait(timeout=30)
            db.session.rollback()
            db.session.remove()

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert held.wait(timeout=10)
        yield
    finally:
        release.set()
        holder.join(timeout=30)


def test_the_same_register_imported_three_times_at_once_is_in_the_database_once(app, app_ctx, tmp_path):
    incident_id = make_incident().id
    db.session.commit()
    people = write_people(
        tmp_path / "people.csv",
        [person(f"C-{n:04d}", notice_code=_codes(n + 1)) for n in range(PEOPLE)],
    )
    exposures = write_exposures(
        tmp_path / "exposures.csv",
        [(f"C-{n:04d}", category, "", "2026-10-05") for n in range(PEOPLE) for category in ("national_id", "payment")],
    )
    start = threading.Barrier(IMPORTS_AT_ONCE)

    def one_import() -> ImportReport | Exception:
        with app.app_context():
            start.wait()
            try:
                return import_register(db.session.get(Incident, incident_id), people, exposures)
            except Exception as error:  # what an admin would be shown; checked below
                return error
            finally:
                db.session.remove()

    with ThreadPoolExecutor(IMPORTS_AT_ONCE) as pool:
        outcomes = list(pool.map(lambda _: one_import(), range(IMPORTS_AT_ONCE)))

    reports = [outcome for outcome in outcomes if isinstance(outcome, ImportReport)]
    assert len(reports) == IMPORTS_AT_ONCE, f"each waited for the one before: {outcomes}"
    assert sorted(report.people_created for report in reports) == [0] * (len(reports) - 1) + [PEOPLE], outcomes
    assert all(report.people_updated == 0 for report in reports), "the same rows again change nothing"
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Person)) == PEOPLE
    assert db.session.scalar(select(func.count(func.distinct(Person.uid)))) == PEOPLE
    assert db.session.scalar(select(func.count()).select_from(NoticeCode)) == PEOPLE
    assert db.session.scalar(select(func.count()).select_from(Exposure)) == 2 * PEOPLE


def test_an_import_while_another_holds_on_is_refused_with_a_clear_message_and_writes_nothing(
    app, app_ctx, client, tmp_path, monkeypatch
):
    incident = make_incident()
    sign_in_staff(client, Role.ADMIN)
    monkeypatch.setattr("portal.dao.imports.IMPORT_LOCK_WAIT_SECONDS", 0.5)
    people = write_people(tmp_path / "people.csv", [person("C-0001"), person("C-0002")])
    release = threading.Event()
    lock = service.dao_lock_register_import

    def lock_and_tell(*args) -> bool:
        got = lock(*args)
        if not got:
            release.set()  # on SQLite the refused request must still save its session before it answers
        return got

    monkeypatch.setattr(service, "dao_lock_register_import", lock_and_tell)
    with another_import_holding_on(app, release):
        before = table_counts()
        started = time.monotonic()
        refused = post(client, incident, people_file=upload(people, "people.csv"))
        waited = time.monotonic() - started
    page = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert "Another import is running" in html.unescape(page) and "nothing was imported" in page
    assert 0.5 <= waited < 5, "it waited for the other import, then gave up"
    assert table_counts() == before

    imported = post(client, incident, people_file=upload(people, "people.csv"))
    assert imported.status_code == 200, "once the other import ended, the same files go in"
    assert db.session.scalar(select(func.count()).select_from(Person)) == 2


@pytest.mark.sqlite_only  # PostgreSQL's wait is a loop here, which changes nothing on the connection
def test_a_refused_import_gives_its_connection_back_with_the_usual_busy_timeout(app, app_ctx):
    """SQLite waits for the lock through busy_timeout, shortened to the import's wait for that one
    statement: the connection must go back to the pool waiting as long as every other does."""
    with another_import_holding_on(app, threading.Event()):
        sqlite = db.session.connection().connection.dbapi_connection
        usual = sqlite.execute("PRAGMA busy_timeout").fetchone()[0]
        assert dao_lock_register_import(wait_seconds=0.2) is False
    assert sqlite.execute("PRAGMA busy_timeout").fetchone()[0] == usual == 10_000

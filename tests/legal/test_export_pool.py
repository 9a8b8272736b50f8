"""The claimant CSV export built by worker processes: the same bytes, counts and manifest as one process."""

import hashlib
import json
import logging
import re
import signal
import subprocess
import sys
import time
from collections import deque

import pytest

from portal.background import helpers
from portal.background.sender import stop_sending_thread
from portal.constants import ExportStatus, Role
from portal.core.csv_safety import csv_text
from portal.crypto import crypto
from portal.dao.claimant_exports import ClaimantQuery
from portal.extensions import db
from portal.legal import export_pool
from portal.legal.claimant_rows import CellOpener, ClaimantPages, claimant_pages
from portal.legal.export_pool import export_workers, pooled_csv_pages, worker_settings
from portal.models import ExportJob
from tests.factories import make_incident, sign_in_staff
from tests.legal.support import claimant, make_claim
from tests.legal.test_exports import export

NAMES = ["Amina", "=cmd()", "O'Brien, Jr.", 'Say "hi"', "Line\nbreak", "+Chloé", "Zoë"]
SUMMARY = re.compile(r"claimant export: (\d+) pages, (\d+) of them by workers \((\d+) of (\d+) started\)")


@pytest.fixture
def claims(app_ctx):
    """Seventeen claims with every kind of cell (quoted, neutralised, accented), one unreadable."""
    incident = make_incident()
    made = []
    for number in range(17):
        person = claimant(incident, f"C-{number:02d}", first_name=NAMES[number % len(NAMES)])
        made.append(make_claim(person, incident, signals=["many_claims_from_ip"] if number % 5 == 0 else ()))
    made[6].payment_details_enc = made[7].payment_details_enc  # sealed for another claim: unreadable
    db.session.commit()
    return made


@pytest.fixture
def pool_log(caplog, monkeypatch):
    """What the pool logs. Alembic's fileConfig (the session's migrations) disables loggers that
    existed before it ran; this one did."""
    monkeypatch.setattr(export_pool.log, "disabled", False)
    caplog.set_level(logging.INFO, logger=export_pool.log.name)
    return caplog


def summary(log) -> dict:
    """The pool's last word on an export: pages, how many the workers built, how many started."""
    pages, by_workers, started, asked = (int(n) for n in SUMMARY.findall(log.text)[-1])
    return {"pages": pages, "by_workers": by_workers, "started": started, "asked": asked}


@pytest.fixture
def slow_here(monkeypatch):
    """The export's own process waits for a worker to be ready before it builds a page, then takes
    half a second a page, so that workers (which take a second or more to start, longer on a busy
    machine) build some of these small exports' pages: it would otherwise finish them first."""
    build, next_here = export_pool._build_here, export_pool._next_here

    def slowly(local, task):
        time.sleep(0.5)
        return build(local, task)

    def once_a_worker_is_ready(crew, pages, written, window):
        live = crew.live()
        if live and not any(worker.ready for worker in live):
            return None  # the pool then waits for what the workers say
        return next_here(crew, pages, written, window)

    monkeypatch.setattr(export_pool, "_build_here", slowly)
    monkeypatch.setattr(export_pool, "_next_here", once_a_worker_is_ready)


def single_process_csv(full=False) -> tuple[bytes, int]:
    opener = CellOpener(crypto().cipher, full)
    text = b"".join(csv_text(rows).encode() for rows in claimant_pages(ClaimantQuery(), opener, page_size=3))
    return text, opener.unreadable


def pooled(query=None, full=False, filters="{}", workers=2, **settings) -> list:
    local = ClaimantPages(query or ClaimantQuery(), CellOpener(crypto().cipher, full))
    return list(pooled_csv_pages(local, worker_settings(filters, full) | settings, workers, page_size=1))


def test_pages_built_by_workers_and_here_are_the_single_process_pages(claims, pool_log, slow_here):
    expected, unreadable = single_process_csv()
    pages = pooled()
    assert b"".join(text for text, _, _ in pages) == expected
    assert [rows for _, rows, _ in pages] == [1] * 17
    assert sum(count for _, _, count in pages) == unreadable == 1
    facts = summary(pool_log)
    assert facts["pages"] == 17 and 0 < facts["by_workers"] < 17 and facts["started"] == facts["asked"] == 2


def test_full_payment_details_and_filters_reach_the_workers(claims, pool_log, slow_here):
    expected, _ = single_process_csv(full=True)
    assert b"".join(text for text, _, _ in pooled(full=True)) == expected and b"account_number: GB29" in expected
    assert summary(pool_log)["by_workers"] > 0
    pages = pooled(query=ClaimantQuery(fraud="any"), filters='{"fraud": "any"}')
    assert sum(rows for _, rows, _ in pages) == 4  # claims 0, 5, 10 and 15 have a signal
    assert summary(pool_log)["by_workers"] > 0


@pytest.mark.parametrize(
    "broken",
    [{"database_url": "sqlite:////nonexistent/folder/x.sqlite3"}, {"keys": "not a key ring"}],
    ids=["fails-on-its-first-page", "fails-before-it-is-ready"],
)
def test_pages_of_a_worker_that_fails_are_built_here(claims, pool_log, monkeypatch, broken):
    expected, unreadable = single_process_csv()
    retired, build, retire = [], export_pool._build_here, export_pool._Crew.retire

    def slowly_until_both_failed(local, task):  # so that the workers get pages to fail on
        if len(retired) < 2:
            time.sleep(0.5)
        return build(local, task)

    def counted(crew, worker, why):
        retired.append(why)
        retire(crew, worker, why)

    monkeypatch.setattr(export_pool, "_build_here", slowly_until_both_failed)
    monkeypatch.setattr(export_pool._Crew, "retire", counted)
    pages = pooled(**broken)
    assert b"".join(text for text, _, _ in pages) == expected
    assert sum(count for _, _, count in pages) == unreadable
    assert pool_log.text.count("its pages are built here") == 2 and summary(pool_log)["by_workers"] == 0


def test_without_an_interpreter_to_start_every_page_is_built_here(claims, pool_log, monkeypatch):
    expected, _ = single_process_csv()
    monkeypatch.setattr(sys, "executable", "/nonexistent/python")
    assert b"".join(text for text, _, _ in pooled()) == expected
    assert pool_log.text.count("could not start (FileNotFoundError)") == 2
    assert summary(pool_log) == {"pages": 17, "by_workers": 0, "started": 0, "asked": 2}


def test_a_page_that_came_in_while_the_one_before_was_written_is_written_too(claims, monkeypatch):
    # The worker builds both pages (none here). Its second arrives while the reader is busy with the
    # first; the pool once read it and then waited for the worker, which had nothing more to say.
    monkeypatch.setattr(export_pool, "_next_here", lambda crew, pages, written, window: None)
    local = ClaimantPages(ClaimantQuery(), CellOpener(crypto().cipher, False))
    pages = pooled_csv_pages(local, worker_settings("{}", False), workers=1, page_size=9)  # 17 claims: two pages

    def hung(signum, frame):
        raise TimeoutError("the export waited for a page it already had")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(60)
    try:
        rows = []
        for _, count, _ in pages:
            rows.append(count)
            time.sleep(1.5)  # the worker answers the second page meanwhile
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
        pages.close()
    assert rows == [9, 8]


def test_an_export_that_stops_early_stops_its_workers_at_once(claims, monkeypatch):
    started = []

    class Recorded(export_pool._PageBuilder):
        def __init__(self):
            super().__init__()
            started.append(self)

    monkeypatch.setattr(export_pool, "_PageBuilder", Recorded)
    local = ClaimantPages(ClaimantQuery(), CellOpener(crypto().cipher, False))
    pages = pooled_csv_pages(local, worker_settings("{}", False), workers=2, page_size=1)
    next(pages)  # the writer fails after the first page
    began = time.monotonic()
    pages.close()
    assert time.monotonic() - began < 5  # not the ten seconds a stuck worker would be given
    assert len(started) == 2 and all(worker.process.returncode == 0 for worker in started)


def test_the_worker_count_follows_the_configuration(app, claims, monkeypatch):
    query = ClaimantQuery()

    def workers(**config) -> int:
        return export_workers({"EXPORT_POOL_MIN_ROWS": 0} | config, query)

    assert workers(EXPORT_WORKERS=1) == 0  # 1: the export's own process only
    assert workers(EXPORT_WORKERS=3) == 0  # 17 claims are one page: one process
    assert workers(EXPORT_WORKERS=3, EXPORT_POOL_MIN_ROWS=18) == 0  # too few claims
    assert export_workers(app.config | {"EXPORT_WORKERS": 3}, query) == 0  # the default minimum is far above 17
    monkeypatch.setattr(export_pool, "POOL_PAGE_SIZE", 5)  # four pages
    assert workers(EXPORT_WORKERS=3) == 2  # beside the export's own process
    assert workers(EXPORT_WORKERS=8) == 3  # no more processes than pages
    monkeypatch.setattr(export_pool, "POOL_PAGE_SIZE", 3)  # six pages
    for cpus, started in [(1, 0), (2, 1), (3, 2), (16, 3)]:  # unset: one process per CPU, at most four
        monkeypatch.setattr(export_pool, "usable_cpus", lambda cpus=cpus: cpus)
        assert workers() == started


@pytest.fixture
def with_workers(app, monkeypatch, slow_here):
    monkeypatch.setitem(app.config, "EXPORT_WORKERS", 2)
    monkeypatch.setitem(app.config, "EXPORT_POOL_MIN_ROWS", 0)
    monkeypatch.setattr(export_pool, "POOL_PAGE_SIZE", 2)  # nine pages
    return app


def test_cli_export_with_workers_writes_the_same_file_and_manifest(with_workers, runner, claims, tmp_path, pool_log):
    def cli_export(name: str) -> tuple[bytes, dict]:
        out = tmp_path / name
        result = runner.invoke(args=["portal", "export-claimants", "--format", "csv", "--out", str(out)])
        assert result.exit_code == 0, result.output
        return out.read_bytes(), json.loads((tmp_path / f"{name}.manifest.json").read_text())

    body, manifest = cli_export("pooled.csv")
    assert summary(pool_log)["pages"] == 9 and summary(pool_log)["by_workers"] > 0
    with_workers.config["EXPORT_WORKERS"] = 1
    single_body, single_manifest = cli_export("single.csv")
    assert body == single_body and manifest["sha256"] == hashlib.sha256(body).hexdigest()
    assert manifest["rows"] == single_manifest["rows"] == 17
    assert manifest["unreadable_cells"] == single_manifest["unreadable_cells"] == 1


def test_the_background_thread_builds_with_workers_too(with_workers, client, claims, pool_log):
    sign_in_staff(client, Role.LEGAL)
    with_workers.config["SENDING_ENGINE"] = "thread"
    try:
        response = client.post("/staff/legal/exports", data={"file_format": "csv"})
        job_id = int(response.location.split("/")[-1])
        deadline = time.monotonic() + 60
        while (status := _status(job_id)) not in (ExportStatus.READY, ExportStatus.FAILED):
            assert time.monotonic() < deadline, "the thread never finished"
            time.sleep(0.1)
    finally:
        with_workers.config["SENDING_ENGINE"] = "inline"
        stop_sending_thread(with_workers)  # the first request started it; later tests must not share it
        with_workers.extensions.pop("sending_thread", None)
    assert status == ExportStatus.READY and summary(pool_log)["by_workers"] > 0
    body = client.get(f"/staff/legal/exports/{job_id}/download").get_data()
    with_workers.config["EXPORT_WORKERS"] = 1
    _, single_body = export(client)
    assert body == single_body
    assert client.get(f"/staff/legal/exports/{job_id}/manifest.json").get_json()["unreadable_cells"] == 1


def _status(job_id: int) -> str:
    db.session.rollback()  # a fresh transaction sees the thread's commits
    return db.session.get(ExportJob, job_id, populate_existing=True).status


def test_a_worker_starts_without_alembic_or_the_web_views():
    # Each of these was a third of a worker's start-up; the app factory loads them, a worker must not.
    heavy = ("alembic", "flask_migrate", "portal.legal.routes", "portal.claims.routes", "portal.legal.forms")
    probe = f"import sys, portal.legal.export_page_builder; print([m for m in {heavy!r} if m in sys.modules])"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=helpers.ROOT)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_this_process_builds_ahead_while_a_worker_is_slow(claims):
    # A window of three pages in all once left this process idle a third of the time, waiting for
    # the worker's page before it could build another of its own.
    local = ClaimantPages(ClaimantQuery(), CellOpener(crypto().cipher, False))
    built_before_waiting = []

    class SlowWorker:
        ready, alive = True, True

        def __init__(self):
            self.tasks = deque()

    class SlowCrew:
        size, workers, orphans = 1, [], deque()

        def __init__(self):
            self.worker = SlowWorker()

        def live(self):
            return [self.worker]

        def hand_out(self, pages, written, window):
            while len(self.worker.tasks) < export_pool.TASKS_PER_WORKER and pages.issued - written < window:
                if (task := pages.next()) is None:
                    return
                self.worker.tasks.append(task)

        def collect(self, built, timeout):
            if timeout == 0:
                return  # the worker is still busy
            built_before_waiting.append(len(built))
            while self.worker.tasks:  # it answers at last
                task = self.worker.tasks.popleft()
                built[task[0]] = export_pool._build_here(local, task)

    pages = export_pool._Pages(local.query, page_size=1)
    written = list(export_pool._run(local, pages, SlowCrew()))
    assert b"".join(text for text, _, _ in written) == single_process_csv()[0]
    window = export_pool.PAGES_IN_FLIGHT_PER_PROCESS * 2
    assert built_before_waiting[0] == window - export_pool.TASKS_PER_WORKER

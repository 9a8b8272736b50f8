"""A claimant CSV export built by several processes (docs/exports.md, "Worker processes").

Decrypting and formatting rows is CPU-bound Python, so threads would not help. The export splits
the claims into keyset pages (id ranges, in order); worker processes and the export's own process
build them, each fetching its page, decrypting it and formatting it as CSV text with the same code
as a single-process export (claimant_rows.py, core/csv_safety.py). The export's process writes the pages
in order, encrypting and hashing them, so the file, its SHA-256 and its manifest are what one
process would have written.

Workers are fresh interpreters started with subprocess (``python -m portal.legal.export_page_builder``),
not multiprocessing: a Celery prefork child is a daemonic process, which multiprocessing refuses
children, and forking a process that holds database connections (or, in the web process, runs
other threads) is unsafe. A fresh interpreter takes about a third of a second to import the app, so
exports below EXPORT_POOL_MIN_ROWS stay in one process, and the export's process builds pages
too, from the start: it is one worker fewer to start, and it covers the workers' start-up. A
worker is asked for at most two pages at a time and at most eight pages per process are built
but not yet written, so memory stays flat whatever the size of the export.
A worker learns the database URL and the field-encryption keys through its stdin (never argv or
the environment) and exits when its stdin closes. The pages of a worker that fails or cannot
start are built by the export's process.
"""

import contextlib
import fcntl
import logging
import os
import selectors
from collections import deque
from collections.abc import Generator, Iterator
from math import ceil

from flask import current_app

from portal.background.helpers import ANSWER, READY, read_object, start_helper, wait_or_kill, write_object
from portal.core.csv_safety import csv_text
from portal.dao.claimant_exports import ClaimantQuery, dao_count_claimants, dao_get_claimant_page_end
from portal.extensions import db
from portal.legal.claimant_rows import ClaimantPages

log = logging.getLogger(__name__)
TASKS_PER_WORKER = 2  # one being built and one queued, so a worker never waits for the parent
PIPE_BYTES = 1 << 20
# Pool pages are half a single process's: a page's CSV (about 500 bytes a row) then fits in the
# pipe twice over, so a worker hands a finished page over and goes on while this process is busy
# building a page of its own.
POOL_PAGE_SIZE = 1000
# Pages handed out or being built, not yet written, per process: enough that this process always
# has a page to build while a worker's are outstanding, and still a few megabytes whatever the
# size of the export. A window of three pages in all left it waiting for a worker's page before
# it could build another: two processes did the work of 1.3.
PAGES_IN_FLIGHT_PER_PROCESS = 8
MAX_DEFAULT_WORKERS = 4

# (CSV as UTF-8, rows, unreadable cells) for one page.
Page = tuple[bytes, int, int]


def usable_cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def default_export_workers() -> int:
    """Processes building an export's pages, its own included: one per CPU, at most four."""
    return min(usable_cpus(), MAX_DEFAULT_WORKERS)


def export_workers(config, query: ClaimantQuery, rows: int | None = None) -> int:
    """Worker processes to start beside the export's own for ``rows`` claims (counted if None);
    0 builds it all in the export's process.

    EXPORT_WORKERS counts the processes that build pages, the export's own included (0 or unset:
    one per CPU, at most four; 1: the export's own only). Exports of fewer than
    EXPORT_POOL_MIN_ROWS claims get no workers, and no export gets more processes than pages.
    """
    processes = int(config.get("EXPORT_WORKERS") or default_export_workers())
    url = db.engine.url
    if processes < 2 or (url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:")):
        return 0  # one process asked for, or a database another process cannot open
    if rows is None:
        rows = dao_count_claimants(query)
    if rows < int(config["EXPORT_POOL_MIN_ROWS"]):
        return 0
    return min(processes, ceil(rows / POOL_PAGE_SIZE)) - 1


def worker_settings(filters_json: str, full_payment_details: bool) -> dict:
    return {
        "database_url": db.engine.url.render_as_string(hide_password=False),
        "keys": current_app.config["FIELD_ENCRYPTION_KEYS"],
        "filters": filters_json,
        "full": full_payment_details,
    }


class _PageBuilder:
    """One helper process building pages (a "worker" in EXPORT_WORKERS, the operators' setting; in
    the code a worker is a Celery worker)."""

    def __init__(self):
        self.process = start_helper("portal.legal.export_page_builder")  # the settings (with the keys) go to its stdin
        self.fd = self.process.stdout.fileno()
        with contextlib.suppress(OSError, AttributeError):  # Linux only; elsewhere it only waits more
            fcntl.fcntl(self.fd, fcntl.F_SETPIPE_SZ, PIPE_BYTES)
        self.alive = True
        self.ready = False
        self.tasks: deque[tuple[int, int, int]] = deque()  # (page index, after id, up to id), in order

    def command(self, message) -> None:
        write_object(self.process.stdin, message)

    def send(self, task: tuple[int, int, int]) -> None:
        self.tasks.append(task)
        self.command(task)

    def read_answer(self) -> tuple[str, object]:
        """(READY, None), (ANSWER, (index, rows, unreadable cells, CSV bytes)) or (FAILED, why)."""
        return read_object(self.fd)

    def stop(self, drain: bool) -> None:
        """End the worker: closing stdin tells it to finish. ``drain`` (the export is complete):
        first read what it still says, so we know whether it started at all. Otherwise closing
        stdout stops one still writing a page nobody will read (the export failed)."""
        with contextlib.suppress(OSError):
            self.process.stdin.close()
        with contextlib.suppress(EOFError, OSError):
            while drain and self.alive:
                self.ready |= self.read_answer()[0] == READY
        with contextlib.suppress(OSError):
            self.process.stdout.close()
        wait_or_kill(self.process)


class _Pages:
    """The export's pages as id ranges, in order, found as they are needed (one cheap query each)."""

    def __init__(self, query: ClaimantQuery, page_size: int):
        self.query, self.page_size = query, page_size
        self.after_id = 0
        self.issued = 0
        self.finished = False

    def next(self) -> tuple[int, int, int] | None:
        if self.finished:
            return None
        upto_id = dao_get_claimant_page_end(self.query, self.after_id, self.page_size)
        if upto_id is None:
            self.finished = True
            return None
        task = (self.issued, self.after_id, upto_id)
        self.issued += 1
        self.after_id = upto_id
        return task


def pooled_csv_pages(
    local: ClaimantPages, settings: dict, workers: int, page_size: int | None = None
) -> Iterator[Page]:
    """Every page of the export in order, built by ``workers`` worker processes and by this one,
    with ``local`` (which also builds the pages of a worker that fails)."""
    crew = _Crew(workers, settings)
    finished = False
    try:
        written, here = yield from _run(local, _Pages(local.query, page_size or POOL_PAGE_SIZE), crew)
        finished = True
    finally:
        crew.close(drain=finished)
    ready = sum(worker.ready for worker in crew.workers)
    log.info("claimant export: %d pages, %d of them by workers (%d of %d started)",
             written, written - here, ready, crew.size)  # fmt: skip


def _build_here(local: ClaimantPages, task: tuple[int, int, int]) -> Page:
    before = local.opener.unreadable
    rows, _ = local.page(task[1], None, task[2])
    return csv_text(rows).encode(), len(rows), local.opener.unreadable - before


class _Crew:
    """The workers, what each has been asked, and the pages of those that died."""

    def __init__(self, size: int, settings: dict):
        self.workers: list[_PageBuilder] = []
        self.selector = selectors.DefaultSelector()
        self.orphans: deque[tuple[int, int, int]] = deque()
        self.size = size
        for _ in range(size):
            try:
                worker = _PageBuilder()
            except OSError as exc:  # no interpreter to start (sys.executable is not Python?)
                log.warning("export worker could not start (%s); its pages are built here", type(exc).__name__)
                continue
            self.workers.append(worker)
            self.selector.register(worker.fd, selectors.EVENT_READ, worker)
            try:
                worker.command(settings)
            except OSError:
                self.retire(worker, "gone")

    def live(self) -> list[_PageBuilder]:
        return [worker for worker in self.workers if worker.alive]

    def retire(self, worker: _PageBuilder, why: str) -> None:
        log.warning("export worker %s stopped (%s); its pages are built here", worker.process.pid, why)
        worker.alive = False
        self.selector.unregister(worker.fd)
        self.orphans.extend(worker.tasks)
        worker.tasks.clear()

    def hand_out(self, pages: _Pages, written: int, window: int) -> None:
        for worker in self.live():
            while worker.ready and len(worker.tasks) < TASKS_PER_WORKER and pages.issued - written < window:
                task = pages.next()
                if task is None:
                    return
                try:
                    worker.send(task)
                except OSError:  # its stdin is closed: it has died
                    self.retire(worker, "gone")
                    break

    def collect(self, built: dict[int, Page], timeout: float | None) -> None:
        """Read what the workers have sent: that they are ready, pages, or their end."""
        for key, _ in self.selector.select(timeout):
            worker: _PageBuilder = key.data
            try:
                kind, detail = worker.read_answer()
            except EOFError:
                kind, detail = "exited", "exited"
            if kind == READY:
                worker.ready = True
            elif kind == ANSWER:
                index, rows, unreadable, payload = detail
                worker.tasks.popleft()  # a worker answers in the order it was asked
                built[index] = (payload, rows, unreadable)
            else:
                self.retire(worker, str(detail))

    def close(self, drain: bool) -> None:
        self.selector.close()
        for worker in self.workers:
            worker.stop(drain)


def _next_here(crew: _Crew, pages: _Pages, written: int, window: int) -> tuple[int, int, int] | None:
    """The page this process builds next: a failed worker's first, else the next if there is room."""
    if crew.orphans:
        return crew.orphans.popleft()
    return pages.next() if pages.issued - written < window else None


def _run(local: ClaimantPages, pages: _Pages, crew: _Crew) -> Generator[Page, None, tuple[int, int]]:
    """Yields the pages in order; returns how many there were and how many were built here."""
    built: dict[int, Page] = {}  # pages waiting for their turn to be written
    window = PAGES_IN_FLIGHT_PER_PROCESS * (crew.size + 1)
    written = here = 0
    while True:
        while written in built:
            yield built.pop(written)
            written += 1
        crew.collect(built, timeout=0)
        if written in built:
            # The page due next came in meanwhile (while its predecessor was written, say): write it
            # now. Waiting below could be for ever, if no worker has anything left to say.
            continue
        crew.hand_out(pages, written, window)
        task = _next_here(crew, pages, written, window)
        if task is not None:
            built[task[0]] = _build_here(local, task)
            here += 1
            continue
        if pages.finished and not built and not any(worker.tasks for worker in crew.live()):
            return written, here
        crew.collect(built, timeout=None)  # everything is handed out: wait for the workers

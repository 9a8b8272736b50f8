"""How the send loop (``portal.sending.pipeline.send_until_idle``) runs in the background: as a
Celery task with a deadline, or on one long-lived thread of the process; and the periodic pump.

The thread starts on the first request or wake-up, never at import or at ``create_app``, so the
Flask reloader's watcher process (which serves nothing) never sends.
"""

import logging
import os
import threading
import time

from flask import Flask, current_app

from portal.background.dispatch import SENDING_THREAD_OF, THREAD, run_mode, wake_sender
from portal.core.time import utcnow
from portal.extensions import db

log = logging.getLogger(__name__)

POLL_SECONDS = 5.0  # longest the thread sleeps when nothing is due
PERIODIC_SECONDS = 30.0  # scheduled batches and the reaper
SEND_TASK_SECONDS = 60  # then hand over to a fresh task, so one task never holds a worker for hours


def send_for_one_task() -> int:
    """The Celery task: send until nothing is due or the time is up, then hand over to a fresh
    task (maybe on another worker); notices handled. The same loop every mode runs (the
    pipeline, the posting mark, the batch-wide pause after a 429), with a deadline."""
    from portal.sending.pipeline import send_until_idle
    from portal.sending.service import seconds_until_next_retry

    deadline = time.monotonic() + SEND_TASK_SECONDS
    handled = send_until_idle(should_stop=lambda: time.monotonic() > deadline)
    if time.monotonic() > deadline:
        wake_sender()  # more to do
        return handled
    retry_in = seconds_until_next_retry()
    if retry_in is not None:
        wake_sender(delay_seconds=retry_in)  # rows waiting out a backoff or a rate limit
    return handled


def pump() -> None:
    """Periodic (beat): start due scheduled batches, reap stale rows, make sure due rows are sent."""
    from portal.dao.batches import dao_count_due_notifications
    from portal.sending.service import run_periodic_work

    run_periodic_work()
    if dao_count_due_notifications(utcnow()):
        wake_sender()


class SendingThread:
    """One per process (SQLite allows one writer at a time anyway)."""

    def __init__(self, app: Flask):
        self.app = app
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._pid = 0
        self._lock = threading.Lock()

    def alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive() and self._pid == os.getpid()

    def ensure_started(self) -> None:
        with self._lock:
            if self.alive():
                return
            self._stop.clear()
            self._pid = os.getpid()  # a forked child (gunicorn --preload) starts its own
            self._thread = threading.Thread(target=self._run, name="portal-sending", daemon=True)
            self._thread.start()

    def wake(self) -> None:
        self.ensure_started()
        self._wake.set()

    def stop(self, timeout: float = 10) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self) -> None:
        from portal.sending.pipeline import send_until_idle
        from portal.sending.service import run_periodic_work, seconds_until_next_retry

        next_periodic = 0.0
        with self.app.app_context():
            while not self._stop.is_set():
                self._wake.clear()
                wait = POLL_SECONDS
                try:
                    clock = utcnow().timestamp()
                    if clock >= next_periodic:
                        run_periodic_work()
                        next_periodic = clock + PERIODIC_SECONDS
                    while not self._stop.is_set() and send_until_idle(should_stop=self._stop.is_set):
                        pass
                    wait = min(POLL_SECONDS, seconds_until_next_retry() or POLL_SECONDS)
                except Exception:  # keep the thread alive; the rows say where we were
                    log.exception("sending pass failed; trying again in %.0f s", POLL_SECONDS)
                    db.session.rollback()
                finally:
                    db.session.remove()
                self._wake.wait(wait)


def sending_thread(app: Flask) -> SendingThread:
    thread = app.extensions.get("sending_thread")
    if thread is None:
        thread = app.extensions.setdefault("sending_thread", SendingThread(app))
    return thread


def stop_sending_thread(app: Flask) -> None:
    thread = app.extensions.get("sending_thread")
    if thread is not None:
        thread.stop()


def start_sending_thread_if_needed() -> None:
    """Before each request (``init_app``): in thread mode, make sure this
    process's sending thread runs, so scheduled batches, retries and the reaper go on without a
    broker."""
    app = current_app._get_current_object()
    if run_mode(app) == THREAD:
        sending_thread(app).ensure_started()


def init_app(app: Flask) -> None:
    """Start the sending thread (thread mode) on the first request, not now: the Flask reloader's
    watcher process builds the app too and serves nothing, and must never send."""
    app.extensions[SENDING_THREAD_OF] = sending_thread
    app.before_request(start_sending_thread_if_needed)

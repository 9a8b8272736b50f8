"""The engines that run ``send_until_idle``: Celery workers, an in-process thread, or inline.

* ``CELERY_BROKER_URL`` set: tasks on ``celery -A portal.worker worker`` processes; beat runs the
  periodic ``pump`` (scheduled batches, the reaper, retries that came due).
* otherwise ``SENDING_ENGINE=thread`` (the default): one daemon thread per process does the same,
  with its own app context and database session. It starts on the first request or dispatch,
  never at import, so the Flask reloader's watcher process (which serves nothing) never sends.
* ``SENDING_ENGINE=inline`` (tests): the caller's own thread sends until nothing is due.
"""

import logging
import os
import threading

from flask import Flask, current_app

from portal.core.time import utcnow
from portal.extensions import db

log = logging.getLogger(__name__)

POLL_SECONDS = 5.0  # longest the thread sleeps when nothing is due
PERIODIC_SECONDS = 30.0  # scheduled batches and the reaper


def engine_name(app: Flask) -> str:
    return "celery" if app.config.get("CELERY_BROKER_URL") else app.config["SENDING_ENGINE"]


def kick_engine(delay_seconds: float = 0) -> None:
    """Tell the engine there is work (now, or in ``delay_seconds``)."""
    app = current_app._get_current_object()
    name = engine_name(app)
    if name == "celery":
        from portal.sending.celery_client import enqueue_sending

        enqueue_sending(app, countdown=delay_seconds)
    elif name == "inline":
        if delay_seconds <= 0:
            from portal.sending.pipeline import send_until_idle

            send_until_idle()
    else:
        sending_thread(app).wake()


def periodic_work(app: Flask) -> None:
    """What beat (Celery) or the thread runs every half minute: due batches, then the reaper."""
    from portal.sending.service import dispatch_due_batches, finish_sent_batches, reap_stale_sending

    dispatch_due_batches()
    finish_sent_batches()
    reaped = reap_stale_sending()
    if reaped:
        log.warning("reaper: %d notifications left sending were marked unknown", reaped)


def seconds_until_next_retry() -> float | None:
    """Seconds until the earliest queued row of a sending batch is due; None if none is queued."""
    from portal.dao.send_batches import dao_next_attempt_time

    due = dao_next_attempt_time(utcnow())
    return None if due is None else max(0.05, (due - utcnow()).total_seconds())


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

        next_periodic = 0.0
        with self.app.app_context():
            while not self._stop.is_set():
                self._wake.clear()
                wait = POLL_SECONDS
                try:
                    clock = utcnow().timestamp()
                    if clock >= next_periodic:
                        periodic_work(self.app)
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
    runner = app.extensions.get("sending_thread")
    if runner is None:
        runner = app.extensions.setdefault("sending_thread", SendingThread(app))
    return runner


def stop_sending_thread(app: Flask) -> None:
    runner = app.extensions.get("sending_thread")
    if runner is not None:
        runner.stop()

"""The one place that decides how background work runs, for every caller.

* ``CELERY_BROKER_URL`` set: a Celery task on ``celery -A portal.background.celery_app worker``
  processes, enqueued by name (the web process never imports the Celery app);
* otherwise ``SENDING_ENGINE=thread`` (the default): a thread of this process, with its own app
  context and database session. Sending has one long-lived thread (``sender.py``), woken when
  there is work; any other task gets a short-lived thread of its own;
* ``SENDING_ENGINE=inline`` (tests): the caller's own thread, before the call returns.

Every task is safe to run twice (each claims its work with a conditional UPDATE), which is what
makes Celery's redelivery after a lost worker harmless.
"""

import logging
import threading

from celery import Celery
from flask import Flask, current_app

from portal.background.tasks import SEND_PENDING, BackgroundTask
from portal.core.time import utcnow
from portal.dao.batches import dao_count_due_notifications
from portal.extensions import db

log = logging.getLogger(__name__)
CELERY, THREAD, INLINE = "celery", "thread", "inline"
_clients: dict[str, Celery] = {}
# app.extensions key of ``sender.sending_thread``, put there by the factory (portal.background.init_app)
# so that the sending service, which wakes the thread, never imports the thread that runs it.
SENDING_THREAD_OF = "background.sending_thread_of"


def run_mode(app: Flask) -> str:
    """CELERY, THREAD or INLINE for this app's configuration."""
    return CELERY if app.config.get("CELERY_BROKER_URL") else app.config["SENDING_ENGINE"]


def celery_client(broker_url: str) -> Celery:
    """A Celery app that only enqueues by name: no task of ours is imported through it."""
    client = _clients.get(broker_url)
    if client is None:
        client = _clients.setdefault(broker_url, Celery("portal-client", broker=broker_url))
    return client


def run_task(task: BackgroundTask, *args) -> None:
    """Run ``task`` with ``args`` the way this app runs background work; the args must be plain
    values (they may cross the broker), and never readable personal data (seal it first)."""
    app = current_app._get_current_object()
    mode = run_mode(app)
    if mode == CELERY:
        celery_client(app.config["CELERY_BROKER_URL"]).send_task(task.name, args=list(args))
    elif mode == INLINE:
        task.function()(*args)
    else:
        name = task.name.rsplit(".", 1)[-1]
        threading.Thread(target=_run_in_thread, args=(app, task, args), name=name, daemon=True).start()


def _run_in_thread(app: Flask, task: BackgroundTask, args: tuple) -> None:
    with app.app_context():
        try:
            task.function()(*args)
        except Exception:  # nobody waits for this thread: the log is where a failure is seen
            log.exception("background task %s failed", task.name)
        finally:
            db.session.remove()


def wake_sender(delay_seconds: float = 0) -> None:
    """Tell the sender there are notices to send (now, or in ``delay_seconds``): Celery send tasks,
    this process's sending thread (``sender.py``, installed by ``portal.background.init_app``),
    or the send task run here and now."""
    app = current_app._get_current_object()
    mode = run_mode(app)
    if mode == CELERY:
        enqueue_send_tasks(app, countdown=delay_seconds)
    elif mode == INLINE:
        if delay_seconds <= 0:
            SEND_PENDING.function()()
    else:
        app.extensions[SENDING_THREAD_OF](app).wake()


def enqueue_send_tasks(app: Flask, countdown: float = 0) -> int:
    """Enough send tasks to keep every worker busy (one per due chunk, capped); how many."""
    chunks = -(-dao_count_due_notifications(utcnow()) // app.config["SEND_CHUNK_SIZE"])
    tasks = max(1, min(chunks, app.config["CELERY_SEND_PARALLELISM"]))
    client = celery_client(app.config["CELERY_BROKER_URL"])
    for _ in range(tasks):
        client.send_task(SEND_PENDING.name, countdown=countdown or None)
    return tasks

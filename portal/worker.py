"""The Celery app: ``celery -A portal.worker worker`` (and ``celery -A portal.worker beat``).

Tasks call the same functions as the in-process thread and the CLI; the database says what is
left to send, so a task that runs twice, or a worker that dies, loses or duplicates nothing
(rows a dead worker left ``sending`` are reaped to ``unknown`` for an admin to decide).
"""

import logging
import time

from celery import Celery
from celery.signals import worker_process_init

from portal import create_app
from portal.extensions import db
from portal.sending.celery_client import TASK_PUMP, TASK_SEND_PENDING

log = logging.getLogger(__name__)

flask_app = create_app()
if not flask_app.config.get("CELERY_BROKER_URL"):
    raise RuntimeError("Set CELERY_BROKER_URL (e.g. redis://127.0.0.1:6379/0) to run Celery workers")

celery = Celery("portal", broker=flask_app.config["CELERY_BROKER_URL"])
celery.conf.update(
    # Acknowledge after the task ran: a worker killed mid-task gets its task redelivered, which
    # is safe because claiming is done in the database, not by the message.
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    worker_prefetch_multiplier=1,
    broker_connection_retry_on_startup=True,
    task_ignore_result=True,
    beat_schedule={
        "pump": {"task": TASK_PUMP, "schedule": 30.0},
        # The retention schedule (docs/privacy.md): daily is enough, its dates are days.
        "retention": {"task": "portal.privacy.purge", "schedule": 24 * 3600.0},
    },
)

SEND_TASK_SECONDS = 60  # then hand over to a fresh task, so one task never holds a worker for hours


@worker_process_init.connect
def _fresh_connections(**_):
    """Connections inherited from the parent across fork() must not be shared."""
    with flask_app.app_context():
        db.engine.dispose(close=False)


@celery.task(name=TASK_SEND_PENDING)
def send_pending() -> int:
    """Send chunks until nothing is due or the time is up, then hand over to a fresh task.

    The same loop every engine runs (``send_until_idle``: the pipeline, the posting mark, the
    batch-wide pause after a 429), with a deadline."""
    from portal.sending.pipeline import send_until_idle
    from portal.sending.runner import kick_engine, seconds_until_next_retry

    with flask_app.app_context():
        try:
            deadline = time.monotonic() + SEND_TASK_SECONDS
            handled = send_until_idle(should_stop=lambda: time.monotonic() > deadline)
            if time.monotonic() > deadline:
                kick_engine()  # more to do: let a fresh task (maybe on another worker) go on
                return handled
            retry_in = seconds_until_next_retry()
            if retry_in is not None:
                kick_engine(delay_seconds=retry_in)  # rows waiting out a backoff or a rate limit
            return handled
        finally:
            db.session.remove()


@celery.task(name=TASK_PUMP)
def pump() -> None:
    """Periodic (beat): start due scheduled batches, reap stale rows, make sure due rows are sent."""
    from portal.core.time import utcnow
    from portal.dao.send_batches import dao_count_due_notifications
    from portal.sending.runner import kick_engine, periodic_work

    with flask_app.app_context():
        try:
            periodic_work(flask_app)
            if dao_count_due_notifications(utcnow()):
                kick_engine()
        finally:
            db.session.remove()


@celery.task(name="portal.legal.build_export")
def build_export_task(job_id: int) -> None:
    """Legal: build a claimant or exclusion export (portal/legal/jobs.py); safe to run twice."""
    from portal.legal.jobs import build_export

    with flask_app.app_context():
        try:
            build_export(job_id)
        finally:
            db.session.remove()


@celery.task(name="portal.verify.reissue_notice_code")
def reissue_notice_code_task(sealed_email: str) -> None:
    """A contractor's "I lost my code" (portal/verify/service.py): looked up and mailed here, not in the request."""
    from portal.verify.service import reissue_sealed

    with flask_app.app_context():
        try:
            reissue_sealed(sealed_email)
        finally:
            db.session.remove()


@celery.task(name="portal.privacy.purge")
def retention_purge() -> None:
    """Periodic (beat): apply the retention schedule, as `flask portal purge` does."""
    from portal.core.time import utctoday
    from portal.privacy.retention import purge

    with flask_app.app_context():
        try:
            purge(utctoday(), actor="system")
        finally:
            db.session.remove()


@celery.task(name="portal.trust.letter_by_post")
def letter_by_post_task(sealed: str) -> None:
    """A new code by post (portal/trust/letters_by_post.py): matched against the register here, not in the request."""
    from portal.trust.letters_by_post import match_sealed

    with flask_app.app_context():
        try:
            match_sealed(sealed)
        finally:
            db.session.remove()

"""The Celery app: ``celery -A portal.background.celery_app worker`` (and ``… beat``).

Each task of ``tasks.ALL_TASKS`` is registered here under its name and runs its function inside
an app context, the same function the in-process thread and the inline mode run. The database
says what is left to do, so a task that runs twice, or a worker that dies, loses or duplicates
nothing (rows a dead worker left ``posting`` are reaped to ``unknown`` for an admin to decide).
"""

from celery import Celery
from celery.signals import worker_process_init

from portal import create_app
from portal.background.tasks import (
    ALL_TASKS,
    PUMP,
    PUMP_EVERY_SECONDS,
    RETENTION_EVERY_SECONDS,
    RETENTION_PURGE,
    BackgroundTask,
)
from portal.extensions import db

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
        "pump": {"task": PUMP.name, "schedule": PUMP_EVERY_SECONDS},
        "retention": {"task": RETENTION_PURGE.name, "schedule": RETENTION_EVERY_SECONDS},
    },
)


@worker_process_init.connect
def _fresh_connections(**_):
    """Connections inherited from the parent across fork() must not be shared."""
    with flask_app.app_context():
        db.engine.dispose(close=False)


def _in_app_context(task: BackgroundTask):
    def run(*args):
        with flask_app.app_context():
            try:
                return task.function()(*args)
            finally:
                db.session.remove()

    run.__name__ = run.__qualname__ = task.name.rsplit(".", 1)[-1]
    run.__doc__ = f"{task.name}: runs {task.target} in an app context."
    return run


for _task in ALL_TASKS:
    celery.task(name=_task.name)(_in_app_context(_task))

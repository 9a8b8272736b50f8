"""Enqueueing sending tasks from the web process (the tasks themselves live in portal/worker.py).

The web side only needs the broker and the task names, so it never imports the worker module
(which builds its own app at import, as a Celery worker must).
"""

from celery import Celery
from flask import Flask

from portal.core.time import utcnow
from portal.dao.send_batches import dao_count_due_notifications

TASK_SEND_PENDING = "portal.send_pending"
TASK_PUMP = "portal.pump"
_clients: dict[str, Celery] = {}


def celery_client(broker_url: str) -> Celery:
    client = _clients.get(broker_url)
    if client is None:
        client = _clients.setdefault(broker_url, Celery("portal-client", broker=broker_url))
    return client


def enqueue_sending(app: Flask, countdown: float = 0) -> int:
    """Enough send tasks to keep every worker busy (one per due chunk, capped); how many."""
    chunks = -(-dao_count_due_notifications(utcnow()) // app.config["SEND_CHUNK_SIZE"])
    tasks = max(1, min(chunks, app.config["CELERY_SEND_PARALLELISM"]))
    client = celery_client(app.config["CELERY_BROKER_URL"])
    for _ in range(tasks):
        client.send_task(TASK_SEND_PENDING, countdown=countdown or None)
    return tasks

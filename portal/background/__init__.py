"""How work runs away from the request: the Celery app and its tasks, the in-process sending
thread, the one dispatcher every caller uses, and the helper-process protocol.

* ``tasks.py``: every background task, defined once (its Celery name and the function it runs);
* ``dispatch.py``: Celery, a thread or inline, decided in one place (``run_task``, ``wake_sender``);
* ``sender.py``: the send loop as a Celery task or on the sending thread; the periodic pump;
* ``celery_app.py``: ``celery -A portal.background.celery_app worker`` (and ``beat``).
"""

from flask import Flask

from portal.background.dispatch import SENDING_THREAD_OF
from portal.background.sender import sending_thread, start_sending_thread_if_needed


def init_app(app: Flask) -> None:
    """Start the sending thread (thread mode) on the first request, not now: the Flask reloader's
    watcher process builds the app too and serves nothing, and must never send."""
    app.extensions[SENDING_THREAD_OF] = sending_thread
    app.before_request(start_sending_thread_if_needed)

"""How work runs away from the request: the Celery app and its tasks, the in-process sending
thread, the one dispatcher every caller uses, and the helper-process protocol.

* ``tasks.py``: every background task, defined once (its Celery name and the function it runs);
* ``dispatch.py``: Celery, a thread or inline, decided in one place (``run_task``, ``wake_sender``);
* ``sender.py``: the send loop as a Celery task or on the sending thread; the periodic pump;
* ``helpers.py``: the helper-process protocol (a sender's posting process, an export's page builders);
* ``celery_app.py``: ``celery -A portal.background.celery_app worker`` (and ``beat``).
"""

from flask import Flask


def init_app(app: Flask) -> None:
    """Start the sending thread (thread mode) on the first request, not now: the Flask reloader's
    watcher process builds the app too and serves nothing, and must never send."""
    # Imported here: a helper process imports this package for helpers.py alone, and must not
    # pay for Celery and the models at its start.
    from portal.background.dispatch import SENDING_THREAD_OF
    from portal.background.sender import sending_thread, start_sending_thread_if_needed

    app.extensions[SENDING_THREAD_OF] = sending_thread
    app.before_request(start_sending_thread_if_needed)

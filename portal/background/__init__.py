"""How work runs away from the request: the Celery app and its tasks, the in-process sending
thread, the one dispatcher every caller uses, and the helper-process protocol.

* ``tasks.py``: every background task, defined once (its Celery name and the function it runs);
* ``dispatch.py``: Celery, a thread or inline, decided in one place (``run_task``, ``wake_sender``);
* ``sender.py``: the send loop as a Celery task or on the sending thread; the periodic pump;
* ``helpers.py``: the helper-process protocol (a sender's posting process, an export's page builders);
* ``celery_app.py``: ``celery -A portal.background.celery_app worker`` (and ``beat``).
"""

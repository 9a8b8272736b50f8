"""Sending notices: the engine (engine.py), its runners (runner.py), the service the batch screens
call (service.py) and the ``send`` / ``reap`` commands (cli.py); its benchmark is tools/bench/send.py.

The blueprint has no routes: it starts the in-process sending thread on the first request, so
scheduled batches, retries and the reaper run in the embedded mode without a broker.
"""

from flask import Blueprint, current_app

bp = Blueprint("sending", __name__)


@bp.before_app_request
def _start_sending_thread() -> None:
    from portal.sending.runner import engine_name, sending_thread

    app = current_app._get_current_object()
    if engine_name(app) == "thread":
        sending_thread(app).ensure_started()

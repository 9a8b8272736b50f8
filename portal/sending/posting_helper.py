"""The sender's posting process (a helper process): ``python -m portal.sending.posting_helper``, started by
posting_process.py.

It reads its settings (the mail settings and the database URL) and then chunks from stdin that
the posting thread has already marked ``posting`` (committed), runs ``send_marked`` on each (the
request) and answers each on stdout, in order. It writes nothing to the database. It exits when
stdin closes, so it never outlives the sender that started it.
"""

import contextlib
import logging
import os
import signal
import sys

from flask import Flask

from portal.background.helpers import exit_without_teardown, read_object, write_object
from portal.core.db_setup import configure_engine_events
from portal.extensions import db
from portal.sending.posting import send_marked
from portal.sending.posting_process import ANSWER, FAILED, READY

log = logging.getLogger(__name__)


def serve(config: dict, commands: int, answers) -> None:
    try:
        app = Flask(__name__)
        app.config.update(config)
        db.init_app(app)
        configure_engine_events(app)
    except Exception as exc:
        log.exception("posting process could not start")  # to stderr, which is the sender's
        write_object(answers, (FAILED, type(exc).__name__))
        return
    try:
        _post_chunks(app, commands, answers)
    finally:
        with app.app_context():
            db.engine.dispose()  # the process ends without the interpreter's teardown


def _post_chunks(app: Flask, commands: int, answers) -> None:
    write_object(answers, (READY, None))
    while True:
        try:
            chunk = read_object(commands)
        except EOFError:
            return  # the sender is done with us
        with app.app_context():
            try:
                answer = (ANSWER, send_marked(chunk))
            except Exception as exc:
                log.exception("posting a chunk failed")
                answer = (FAILED, type(exc).__name__)
            finally:
                db.session.remove()  # end the read: no snapshot held while the next chunk waits
        write_object(answers, answer)


def main() -> int:
    # Ctrl-C is for the sender that started us; we stop when it closes our stdin.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    answers = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # a stray print must not corrupt the answers
    commands = sys.stdin.buffer.fileno()
    with contextlib.suppress(BrokenPipeError, EOFError):  # the sender stopped listening: nothing left to do
        serve(read_object(commands), commands, answers)
    return 0


if __name__ == "__main__":
    exit_without_teardown(main())

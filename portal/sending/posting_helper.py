"""The sender's posting process (a helper process): ``python -m portal.sending.posting_helper``, started by
posting_process.py.

It reads its settings (the mail settings and the database URL) and then chunks from stdin that
the posting thread has already marked ``posting`` (committed), runs ``send_marked`` on each (the
request) and answers each on stdout, in order. It writes nothing to the database. It exits when
stdin closes, so it never outlives the sender that started it.
"""

import logging
from contextlib import contextmanager

from flask import Flask

from portal.background.helpers import exit_without_teardown, serve_requests
from portal.core.db_setup import configure_engine_events
from portal.extensions import db
from portal.sending.posting import send_marked

log = logging.getLogger(__name__)


@contextmanager
def posting(config: dict):
    """The handler: ``send_marked`` on each chunk, with the mail settings and the database URL."""
    app = Flask(__name__)
    app.config.update(config)
    db.init_app(app)
    configure_engine_events(app)

    def post(chunk):
        with app.app_context():
            try:
                return send_marked(chunk)
            finally:
                db.session.remove()  # end the read: no snapshot held while the next chunk waits

    try:
        yield post
    finally:
        with app.app_context():
            db.engine.dispose()  # the process ends without the interpreter's teardown


if __name__ == "__main__":
    exit_without_teardown(serve_requests(posting))

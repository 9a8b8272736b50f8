"""The sender's posting process (docs/sending.md, "Throughput").

Building each recipient's substitutions, encoding a thousand of them as JSON and talking HTTP is
CPU work that holds the GIL, so on the sender's posting thread it takes turns with the database
work instead of overlapping it. For a big send the posting thread hands its chunks to a helper
process instead (``python -m portal.sending.posting_helper``): the thread commits each chunk's
``posting`` mark itself (the check that the rows are still ours), then the process runs
``send_marked`` (the request alone) and answers with the result; it writes nothing. The thread
waits for each answer with the GIL released.

It is a fresh interpreter, not a fork (the sender holds database connections, and in the web
process runs beside other threads), so it takes most of a second to start; until it says it is
ready the thread posts chunks itself. It learns the database URL and
the SendGrid key through its stdin (never argv or the environment) and exits when its stdin
closes. If it dies with a chunk in hand, nobody knows whether SendGrid got that chunk: its rows
become ``unknown`` for an admin to decide, and the thread posts the rest itself.
"""

import contextlib
import logging
import select

from flask import Flask

from portal.background.helpers import ANSWER, FAILED, READY, read_object, start_helper, wait_or_kill, write_object
from portal.extensions import db

log = logging.getLogger(__name__)
# What the posting process needs of the app's configuration to run post_chunk.
MAIL_SETTINGS = (
    "MAIL_BACKEND",
    "SENDGRID_API_KEY",
    "SENDGRID_HOST",
    "SENDGRID_TIMEOUT_SECONDS",
    "MAIL_FROM",
    "MAIL_FROM_NAME",
    "MAIL_REPLY_TO",
)


class PostingProcessGone(RuntimeError):
    """The process stopped (or its pipe broke) while it had a chunk."""


class PostingProcessError(RuntimeError):
    """Posting raised in the process, as it would have on the thread."""


def posting_process_config(app: Flask) -> dict | None:
    """The settings to hand a posting process; None if another process cannot reach the database."""
    url = db.engine.url
    if url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:"):
        return None
    return {name: app.config.get(name) for name in MAIL_SETTINGS} | {
        "SQLALCHEMY_DATABASE_URI": url.render_as_string(hide_password=False)
    }


class PostingProcess:
    STARTING, READY, GONE = "starting", "ready", "gone"

    def __init__(self, config: dict):
        self.state = self.STARTING
        self.posted = 0  # chunks it answered
        try:
            self.process = start_helper("portal.sending.posting_helper")
            write_object(self.process.stdin, config)
        except OSError as exc:
            log.warning("the posting process could not start (%s); the thread posts", type(exc).__name__)
            self.process, self.state = None, self.GONE
            return
        self.fd = self.process.stdout.fileno()

    def usable(self, wait: float = 0) -> bool:
        """Whether to hand it the next chunk: it said it is ready (waiting up to ``wait`` seconds to hear)."""
        if self.state == self.STARTING and select.select([self.fd], [], [], wait)[0]:
            try:
                kind, detail = read_object(self.fd)
            except (EOFError, OSError):
                kind, detail = FAILED, "exited"
            if kind == READY:
                self.state = self.READY
            else:
                self._gone(f"it failed to start: {detail}")
        return self.state == self.READY

    def post(self, chunk):
        """``send_marked(chunk)`` for a chunk already marked ``posting``, run by the process."""
        try:
            write_object(self.process.stdin, chunk)
            kind, detail = read_object(self.fd)
        except (EOFError, OSError) as exc:
            self._gone(type(exc).__name__)
            raise PostingProcessGone from exc
        if kind != ANSWER:
            raise PostingProcessError(f"the posting process raised {detail}")
        self.posted += 1
        return detail

    def _gone(self, why: str) -> None:
        log.warning("the posting process stopped (%s); the thread posts the rest", why)
        self.state = self.GONE

    def close(self) -> None:
        """Closing its stdin tells it to finish; one that does not is killed."""
        if self.process is None:
            return
        with contextlib.suppress(OSError):
            self.process.stdin.close()
        wait_or_kill(self.process)
        with contextlib.suppress(OSError):
            self.process.stdout.close()

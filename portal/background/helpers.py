"""Helper processes (a claimant export's page builders, the sender's posting process): starting and
stopping them, and framed messages over the pipes between them and the process that starts them.
("Worker" in this project means a Celery worker; these are helpers of one export or one sender.)

One protocol for every helper, over its stdin and stdout, each message a pickled value framed by
its length (``write_object`` / ``read_object``): the parent writes the settings, then requests;
the helper answers ``(READY, None)`` once set up (or ``(FAILED, name)`` and exits), then one
``(ANSWER, value)`` or ``(FAILED, exception name)`` per request, in order, and exits when its
stdin closes. A helper module's ``main`` is ``serve_requests(open_handler)``.

A helper is a fresh interpreter running one of our modules, not a fork: the parent may hold
database connections or run other threads, and a Celery prefork child may not use multiprocessing.
"""

import contextlib
import logging
import os
import pickle
import signal
import struct
import subprocess
import sys
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import NoReturn

log = logging.getLogger(__name__)
_LENGTH = struct.Struct(">I")
READY, FAILED, ANSWER = "ready", "failed", "answer"
ROOT = Path(__file__).resolve().parents[2]  # the repository: helpers run as `python -m portal...`


def start_helper(module: str) -> subprocess.Popen:
    """``python -m module`` with pipes to its stdin and stdout; OSError if it cannot start. What it
    needs to know goes down its stdin, never argv or the environment (secrets among it)."""
    path = os.pathsep.join(filter(None, (str(ROOT), os.environ.get("PYTHONPATH"))))
    return subprocess.Popen(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", module],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        cwd=ROOT,
        env=os.environ | {"PYTHONPATH": path},
    )


def exit_without_teardown(code: int) -> NoReturn:
    """End a helper at once. The interpreter's teardown of Flask, SQLAlchemy and the models takes
    a fifth of a second of CPU, which the process that started the helper would wait for; a helper
    calls this once its answers are flushed and its database connections closed."""
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def wait_or_kill(process: subprocess.Popen, timeout: float = 10) -> None:
    """Wait for a helper told to finish (its stdin closed); kill one that does not."""
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def read_exact(fd: int, size: int) -> bytes:
    """``size`` bytes from ``fd``, waiting for them; EOFError if the other end closed first."""
    chunks, left = [], size
    while left:
        chunk = os.read(fd, min(left, 1 << 20))
        if not chunk:
            raise EOFError
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def write_object(stream, value) -> None:
    """Send one picklable value. Only between our own processes: pickle trusts its input."""
    data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_LENGTH.pack(len(data)) + data)
    stream.flush()


def read_object(fd: int):
    """The next value ``write_object`` sent down ``fd``; EOFError if the writer has gone."""
    (size,) = _LENGTH.unpack(read_exact(fd, _LENGTH.size))
    return pickle.loads(read_exact(fd, size))  # noqa: S301 - written by our own process (write_object)


def serve_requests(open_handler: Callable[[dict], AbstractContextManager[Callable]]) -> int:
    """The helper's side of the protocol, its ``main``: read the settings, open the handler with
    them (a context manager giving ``handle(request) -> answer``), say READY, answer each request
    until stdin closes. A failing request is answered FAILED (only the exception's name: its
    message may hold personal data); the parent decides what that means."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the parent; we stop when it closes our stdin
    answers = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # a stray print must not corrupt the answers
    requests = sys.stdin.buffer.fileno()
    with contextlib.suppress(BrokenPipeError, EOFError):  # the parent stopped listening: nothing left to do
        settings = read_object(requests)
        try:
            handler = open_handler(settings)
            handle = handler.__enter__()
        except Exception as exc:
            log.exception("helper could not start")  # to stderr, which is the parent's
            write_object(answers, (FAILED, type(exc).__name__))
            return 1
        try:
            write_object(answers, (READY, None))
            while True:
                try:
                    request = read_object(requests)
                except EOFError:
                    return 0
                try:
                    answer = (ANSWER, handle(request))
                except Exception as exc:
                    log.exception("helper request failed")
                    answer = (FAILED, type(exc).__name__)
                write_object(answers, answer)
        finally:
            handler.__exit__(None, None, None)
    return 0

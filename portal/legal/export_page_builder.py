"""A claimant export's page builder (a helper process): ``python -m portal.legal.export_page_builder``,
started by export_pool.py.

It reads its settings (one JSON line: database URL, field-encryption keys, filters) and then
pages to build ("index after_id upto_id", one a line) from stdin, and answers each on stdout with
a frame (export_pool.FRAME) followed by the page as UTF-8 CSV text. It exits when stdin closes,
so it never outlives the export that started it. It needs no other configuration: a minimal
Flask app holds the database connection for the same queries the export's own process runs.
"""

import json
import logging
import os
import signal
import sys

from flask import Flask

from portal.background.helpers import exit_without_teardown
from portal.core.csv_safety import csv_text
from portal.core.db_setup import configure_engine_events
from portal.crypto import FieldCipher
from portal.extensions import db
from portal.legal.claimant_rows import CellOpener, ClaimantPages
from portal.legal.export_pool import FAILED, FRAME, READY
from portal.legal.exports import ExportFilters

log = logging.getLogger(__name__)


def serve(settings: dict, commands, frames) -> None:
    app = Flask(__name__)
    app.config["SQLALCHEMY_DATABASE_URI"] = settings["database_url"]
    db.init_app(app)
    configure_engine_events(app)
    with app.app_context():
        try:
            _build_pages(settings, commands, frames)
        finally:
            db.engine.dispose()  # the process ends without the interpreter's teardown


def _build_pages(settings: dict, commands, frames) -> None:
    opener = CellOpener(FieldCipher.from_spec(settings["keys"]), settings["full"])
    pages = ClaimantPages(ExportFilters.from_json(settings["filters"]).claimant_query(), opener)
    frames.write(FRAME.pack(READY, 0, 0, 0))
    frames.flush()
    for line in commands:
        index, after_id, upto_id = (int(part) for part in line.split())
        before = opener.unreadable
        try:
            rows, _ = pages.page(after_id, None, upto_id)
        finally:
            db.session.rollback()  # end the read: no snapshot or lock held between pages
        text = csv_text(rows).encode()
        frames.write(FRAME.pack(index, len(rows), opener.unreadable - before, len(text)))
        frames.write(text)
        frames.flush()


def main() -> int:
    # Ctrl-C is for the export that started us; we stop when it closes our stdin.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    frames = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # a stray print must not corrupt the frames
    settings = json.loads(sys.stdin.buffer.readline())
    try:
        serve(settings, sys.stdin.buffer, frames)
    except BrokenPipeError:
        return 0  # the export that started us has stopped reading: nothing left to do
    except Exception as exc:
        log.exception("export worker failed")  # to stderr, which is the export's
        name = type(exc).__name__.encode()
        frames.write(FRAME.pack(FAILED, 0, 0, len(name)) + name)
        frames.flush()
        return 1
    return 0


if __name__ == "__main__":
    exit_without_teardown(main())

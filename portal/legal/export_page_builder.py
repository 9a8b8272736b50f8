"""A claimant export's page builder (a helper process): ``python -m portal.legal.export_page_builder``,
started by export_pool.py.

It speaks the helper protocol (portal/background/helpers.py): its settings (database URL,
field-encryption keys, filters), then pages to build as ``(index, after_id, upto_id)``, each
answered with the page as UTF-8 CSV text and its counts. It exits when stdin closes,
so it never outlives the export that started it. It needs no other configuration: a minimal
Flask app holds the database connection for the same queries the export's own process runs.
"""

import logging
from contextlib import contextmanager

from flask import Flask

from portal.background.helpers import exit_without_teardown, serve_requests
from portal.core.csv_safety import csv_text
from portal.core.db_setup import configure_engine_events
from portal.crypto import FieldCipher
from portal.extensions import db
from portal.legal.claimant_rows import CellOpener, ClaimantPages
from portal.legal.exports import ExportFilters

log = logging.getLogger(__name__)


@contextmanager
def page_builder(settings: dict):
    """The handler: each request ``(index, after_id, upto_id)`` answered with
    ``(index, rows, unreadable cells, the page as UTF-8 CSV)``."""
    app = Flask(__name__)
    app.config["SQLALCHEMY_DATABASE_URI"] = settings["database_url"]
    db.init_app(app)
    configure_engine_events(app)
    with app.app_context():
        opener = CellOpener(FieldCipher.from_spec(settings["keys"]), settings["full"])
        pages = ClaimantPages(ExportFilters.from_json(settings["filters"]).claimant_query(), opener)

        def build(request: tuple[int, int, int]) -> tuple[int, int, int, bytes]:
            index, after_id, upto_id = request
            before = opener.unreadable
            try:
                rows, _ = pages.page(after_id, None, upto_id)
            finally:
                db.session.rollback()  # end the read: no snapshot or lock held between pages
            return index, len(rows), opener.unreadable - before, csv_text(rows).encode()

        try:
            yield build
        finally:
            db.engine.dispose()  # the process ends without the interpreter's teardown


if __name__ == "__main__":
    exit_without_teardown(serve_requests(page_builder))

"""``flask --app app portal send BATCH_ID`` and ``… portal reap``."""

import sys
import time
from datetime import timedelta

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy.exc import DBAPIError

from portal.constants import NOTIFICATION_PENDING, BatchStatus
from portal.core.db_retry import is_transient
from portal.dao.batches import dao_get_batch
from portal.extensions import db


def _progress_line(batch_id: int) -> tuple[str, str]:
    from portal.sending.service import batch_status_counts

    db.session.expire_all()
    batch = dao_get_batch(batch_id)
    counts = batch_status_counts(batch_id)
    total = sum(counts.values())
    done = total - sum(counts[str(s)] for s in NOTIFICATION_PENDING)
    shown = ", ".join(f"{count} {status}" for status, count in counts.items() if count)
    return batch.status, f"batch {batch_id} [{batch.status}]: {done}/{total} done ({shown or 'no notifications'})"


def _watch_step(batch_id: int, celery: bool) -> tuple[str, str] | None:
    """Send a little (or wait for the workers), then the progress line; None if the database
    refused us for a passing reason (a dropped connection, a lock still held after the retries):
    the rows say where we were, so the watcher reconnects and goes on instead of dying."""
    from portal.sending.pipeline import send_until_idle
    from portal.sending.service import seconds_until_next_retry

    try:
        if not celery:
            if not send_until_idle(batch_id=batch_id, max_chunks=5):
                time.sleep(min(1.0, seconds_until_next_retry() or 1.0))
        else:
            time.sleep(1.0)
        return _progress_line(batch_id)
    except DBAPIError as exc:
        if not is_transient(exc):
            raise
        db.session.rollback()
        click.echo(f"The database refused us ({type(exc.orig).__name__}); trying again.", err=True)
        time.sleep(1.0)
        return None


@click.command("send")
@with_appcontext
@click.argument("batch_id", type=int)
def send_command(batch_id: int) -> None:
    """Send an approved batch now and wait until it is sent (or stopped), printing progress."""
    from portal.background.dispatch import CELERY, run_mode, wake_sender
    from portal.sending.service import SendingError, start_batch

    try:
        started = start_batch(batch_id)
    except SendingError as exc:
        raise click.ClickException(str(exc)) from exc
    if not started:
        batch = dao_get_batch(batch_id)
        raise click.ClickException(
            f"Batch {batch_id} is scheduled for {batch.scheduled_for:%Y-%m-%d %H:%M} UTC; it will be sent then."
        )
    celery = run_mode(current_app) == CELERY
    if celery:
        wake_sender()
    last_print = 0.0
    while True:
        step = _watch_step(batch_id, celery)
        if step is None:
            continue
        status, line = step
        if status != BatchStatus.SENDING or time.monotonic() - last_print >= 1.0:
            click.echo(line)
            last_print = time.monotonic()
        if status != BatchStatus.SENDING:
            break
    if status == BatchStatus.STOPPED:
        click.echo(f"Stopped: {dao_get_batch(batch_id).stop_reason}", err=True)
        sys.exit(1)


@click.command("reap")
@with_appcontext
@click.option(
    "--older-than-minutes",
    type=click.IntRange(min=0),
    default=None,
    help="Claims older than this are reaped (default REAP_SENDING_AFTER_SECONDS).",
)
def reap_command(older_than_minutes: int | None) -> None:
    """Put never-posted claimed rows back in the queue; rows left 'posting' become 'unknown' for an admin."""
    from portal.sending.service import reap_stale_sending

    older_than = timedelta(minutes=older_than_minutes) if older_than_minutes is not None else None
    count = reap_stale_sending(older_than)
    click.echo(f"{count} notification(s) left posting were marked unknown." if count else "Nothing stuck in sending.")

"""`flask portal purge`: apply the retention schedule (docs/privacy.md)."""

from datetime import date

import click
from flask.cli import with_appcontext

from portal.core.time import utctoday


@click.command("purge")
@with_appcontext
@click.option("--today", type=click.DateTime(["%Y-%m-%d"]), default=None, help="Act as if today were this date.")
def purge_command(today) -> None:
    """Purge or anonymise what the retention schedule says is due; never data under a legal hold."""
    from portal.privacy.retention import purge

    day: date = today.date() if today else utctoday()
    report = purge(day, actor="cli")
    for line in report.lines():
        click.echo(line)
    total = sum(sum(kinds.values()) for kinds in report.removed.values())
    click.echo(f"Retention applied for {day.isoformat()}: {total} row(s) and file(s) removed or anonymised.")

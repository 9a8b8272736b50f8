"""``flask portal create-incident``."""

from datetime import date

import click
from flask.cli import with_appcontext
from flask_babel import force_locale

from portal.incidents.service import IncidentError, create_incident


class IsoDate(click.ParamType):
    name = "YYYY-MM-DD"

    def convert(self, value, param, ctx):
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(value)
        except ValueError:
            self.fail(f"{value!r} is not a real date in the form YYYY-MM-DD", param, ctx)


@click.command("create-incident")
@with_appcontext
@click.argument("slug")
@click.option("--title", required=True, help="The headline on the public page.")
@click.option("--discovered", "discovered_on", type=IsoDate(), required=True, help="When the breach was discovered.")
@click.option("--occurred", "occurred_on", type=IsoDate(), help="When it happened, if known.")
@click.option("--claim-deadline", type=IsoDate(), help="The last day to file a claim.")
@click.option("--enrollment-deadline", type=IsoDate(), help="The last day to enroll in monitoring.")
@click.option(
    "--monitoring-months",
    type=click.IntRange(0),
    default=0,
    show_default=True,
    help="Months of identity monitoring offered.",
)
@click.option("--contact-email", default="", help="Shown under 'For more information'.")
@click.option("--contact-phone", default="", help="Shown under 'For more information'.")
@click.option("--contact-hours", default="", help="When the phone line is staffed.")
@click.option("--draft", is_flag=True, help="Create it unpublished: off the public page until an admin publishes it.")
def create_incident_command(slug, draft, **values):
    """Create an incident. SLUG is lowercase letters, digits and dashes (e.g. vendor-breach-2026)."""
    values["published"] = not draft
    # English messages, and no locale selector (it reads the request's session, and there is no request).
    with force_locale("en"):
        try:
            incident = create_incident(slug, values)
        except IncidentError as error:
            raise click.ClickException("\n".join(str(message) for message in error.problems.values())) from error
    state = "published" if incident.published else "a draft (not published)"
    click.echo(f"Created incident {incident.slug} (id {incident.id}), {state}.")

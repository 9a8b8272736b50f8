from datetime import date

import pytest
from sqlalchemy import select

from portal.constants import AuditAction
from portal.extensions import db
from portal.models import AuditEvent, Incident
from tests.factories import make_incident


def _create(runner, *args):
    return runner.invoke(args=["portal", "create-incident", *args])


def test_create_incident_with_every_option(app_ctx, runner):
    result = _create(
        runner,
        "vendor-breach-2026",
        "--title",
        "Contractor records breach",
        "--discovered",
        "2026-10-01",
        "--occurred",
        "2026-09-14",
        "--claim-deadline",
        "2027-04-01",
        "--enrollment-deadline",
        "2027-01-31",
        "--monitoring-months",
        "24",
        "--contact-email",
        "help@example.org",
        "--contact-phone",
        "+1 555 0100",
    )
    assert result.exit_code == 0, result.output
    incident = db.session.scalar(select(Incident))
    assert (incident.slug, incident.discovered_on, incident.occurred_on, incident.monitoring_months) == (
        "vendor-breach-2026",
        date(2026, 10, 1),
        date(2026, 9, 14),
        24,
    )
    assert incident.published and incident.contact_email == "help@example.org"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == AuditAction.INCIDENT_CREATED))
    assert event.actor == "cli" and event.target == f"incident:{incident.id}"


def test_create_incident_as_a_draft(app_ctx, runner):
    result = _create(runner, "quiet-one", "--title", "Draft", "--discovered", "2026-10-01", "--draft")
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(Incident)).published is False


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["Bad Slug", "--title", "T", "--discovered", "2026-10-01"], "lowercase letters, digits and single dashes"),
        (["bad--slug", "--title", "T", "--discovered", "2026-10-01"], "lowercase letters, digits and single dashes"),
        (["ok-slug", "--title", "T", "--discovered", "2026-02-30"], "not a real date in the form YYYY-MM-DD"),
        (["ok-slug", "--title", "T", "--discovered", "01/10/2026"], "not a real date in the form YYYY-MM-DD"),
        (["ok-slug", "--title", "T"], "Missing option '--discovered'"),
        (["ok-slug", "--discovered", "2026-10-01"], "Missing option '--title'"),
        (["ok-slug", "--title", " ", "--discovered", "2026-10-01"], "Enter a title"),
        (
            ["ok-slug", "--title", "T", "--discovered", "2026-10-01", "--occurred", "2026-10-05"],
            "on or before the date it was discovered",
        ),
        (
            ["ok-slug", "--title", "T", "--discovered", "2026-10-01", "--claim-deadline", "2026-10-01"],
            "claim deadline must be after",
        ),
        (["ok-slug", "--title", "T", "--discovered", "2026-10-01", "--monitoring-months", "-3"], "-3"),
    ],
)
def test_create_incident_refuses_bad_input(app_ctx, runner, args, message):
    result = _create(runner, *args)
    assert result.exit_code != 0
    assert message in result.output
    assert db.session.scalar(select(Incident)) is None


def test_create_incident_refuses_a_duplicate_slug(app_ctx, runner):
    make_incident("vendor-breach-2026")
    result = _create(runner, "vendor-breach-2026", "--title", "Again", "--discovered", "2026-10-01")
    assert result.exit_code != 0
    assert "already exists" in result.output

import csv
import io
import json
from collections import Counter

import pytest
from sqlalchemy import func, select

from portal.constants import AuditAction, Role
from portal.constants import NotificationStatus as S
from portal.extensions import db
from portal.legal.declaration import OUTCOMES, build_declaration
from portal.models import AuditEvent, Batch, Notification
from tests.factories import make_incident, sign_in_staff
from tests.legal.support import bulk_residents, make_batch, notify


@pytest.fixture
def incident(app_ctx):
    return make_incident()


@pytest.fixture
def sent_batch_with_bounces(incident):
    """40 people emailed; bounces and drops injected; the bounced re-mailed by letter; 5 never sent."""
    people = bulk_residents(incident, 45, "US", "US-CA")
    email = make_batch(incident, "email", "First notice")
    statuses = (
        [S.DELIVERED] * 20
        + [S.ACCEPTED] * 5
        + [S.DEFERRED] * 2
        + [S.BOUNCED] * 6
        + [S.DROPPED] * 2
        + [S.FAILED] * 2
        + [S.QUEUED]
        + [S.UNKNOWN]
        + [S.CANCELLED]
    )
    for person, status in zip(people, statuses, strict=False):
        notify(email, person, status)
    letter = make_batch(incident, "letter", "Re-mail bounced")
    for person in people[27:35]:  # the 6 bounced and the 2 dropped
        notify(letter, person, S.ACCEPTED)
    # Someone in another incident's batch must not be counted here.
    other = make_incident(slug="other")
    notify(make_batch(other), bulk_residents(other, 1, "KE")[0], S.DELIVERED)
    return people


def test_the_declaration_reconciles_exactly_with_the_notification_rows(incident, sent_batch_with_bounces):
    report = build_declaration(incident)
    assert report.reconciles
    rows = db.session.execute(
        select(Notification.status, func.count())
        .join(Batch, Batch.id == Notification.batch_id)
        .where(Batch.incident_id == incident.id)
        .group_by(Notification.status)
    ).all()
    by_status = Counter(dict(rows))
    assert report.overall.total == report.notification_rows == sum(by_status.values()) == 48
    groups = report.overall.counts
    assert groups["delivered"] == by_status[S.DELIVERED] == 20
    assert groups["accepted"] == by_status[S.ACCEPTED] + by_status[S.DEFERRED] == 5 + 2 + 8
    assert groups["bounced"] == by_status[S.BOUNCED] + by_status[S.DROPPED] == 8
    assert (groups["failed"], groups["pending"], groups["unknown"], groups["cancelled"]) == (2, 1, 1, 1)
    email, letter = report.by_channel["email"], report.by_channel["letter"]
    assert email.total == 40 and letter.total == 8 and email.sent == 20 + 7 + 8 and letter.sent == 8
    assert [line.groups.total for line in report.batches] == [40, 8]


def test_every_person_in_the_register_has_exactly_one_outcome(incident, sent_batch_with_bounces):
    outcomes = build_declaration(incident).outcomes
    assert outcomes["register"] == 45
    assert outcomes["delivered_by_email"] == 20
    assert outcomes["accepted_by_email"] == 7
    assert outcomes["sent_by_letter"] == 8
    assert outcomes["not_reached"] == 5  # 2 failed, queued, unknown, cancelled
    assert outcomes["never_sent"] == 5
    assert sum(outcomes[key] for key, _ in OUTCOMES) == outcomes["register"]
    assert outcomes["email_undeliverable"] == 10 and outcomes["remailed_by_letter"] == 8
    assert outcomes["emailed"] == 27 and outcomes["lettered"] == 8


def test_declaration_page_prints_and_the_csv_is_audited(client, incident, sent_batch_with_bounces):
    sign_in_staff(client, Role.LEGAL)
    page = client.get(f"/staff/legal/declaration?incident={incident.id}").get_data(as_text=True)
    assert "Reconciled:" in page and "First notice" in page and 'class="signature print-only"' in page
    download = client.get(f"/staff/legal/declaration.csv?incident={incident.id}")
    rows = list(csv.DictReader(io.StringIO(download.get_data(as_text=True))))
    overall = {row["measure"]: int(row["count"]) for row in rows if row["section"] == "overall"}
    assert overall["total"] == overall["notification_rows"] == 48
    people = {row["measure"]: int(row["count"]) for row in rows if row["section"] == "people"}
    assert people["register"] == 45 and people["never_reachable"] == 10
    event = db.session.query(AuditEvent).filter_by(action=AuditAction.REPORT_EXPORTED).one()
    assert json.loads(event.details)["report"] == "declaration"


def test_an_incident_without_batches_declares_everyone_never_sent(incident):
    bulk_residents(incident, 3, "KE")
    report = build_declaration(incident)
    assert report.reconciles and report.outcomes["never_sent"] == 3 and report.overall.total == 0

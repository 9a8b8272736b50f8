"""A re-import that adds a category to a subscriber's record emails them once, with titles only."""

import csv
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from portal.constants import MailKind
from portal.extensions import db
from portal.imports.service import import_register
from portal.models import Exposure
from portal.updates import service as updates_service
from portal.updates.service import (
    active_subscription,
    alert_subscribers_of_new_exposures,
    end_subscription,
    subscribe,
)
from tests.factories import expose, make_incident, make_person
from tests.monitoring.helpers import outbox


def exposures_file(folder: Path, rows: list[tuple[str, str, str]], name="exposures.csv") -> Path:
    path = folder / name
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["contractor_id", "category", "detail", "exposed_at"])
        writer.writerows([(cid, category, detail, "") for cid, category, detail in rows])
    return path


@pytest.fixture
def register(app_ctx):
    """Three people in one incident, each with their contact details exposed; A and B subscribe, C does not."""
    incident = make_incident()
    people = {
        key: make_person(f"C-{key}", first_name=f"Name{key}", email=f"{key.lower()}@example.org") for key in "ABC"
    }
    for person in people.values():
        expose(person, incident, "contact", "email and phone")
    subscribe(people["A"], incident)
    subscribe(people["B"], incident)
    return incident, people


def alerts():
    return outbox(MailKind.NEW_EXPOSURES)


def test_a_reimport_adding_a_category_emails_exactly_the_subscribed_affected_people_once(register, tmp_path):
    incident, _people = register
    rows = [
        ("C-A", "contact", "email and phone"),
        ("C-A", "payment", "bank account ending 4410"),
        ("C-A", "national_id", "SSN ending 6789"),
        ("C-B", "contact", "email and phone"),  # nothing new for B
        ("C-C", "contact", "email and phone"),
        ("C-C", "payment", "PayPal account"),
    ]  # C did not subscribe
    import_register(incident, None, exposures_file(tmp_path, rows))
    [mail] = alerts()
    assert mail.to_address == "a@example.org"
    body = mail.body_text
    assert "Bank and payout details" in body and "National identity or tax number" in body
    assert body.index("National identity") < body.index("Bank and payout")  # worst first, like the page
    assert "Email address and phone number" not in body  # not new
    assert not re.search(r"\bC-A\b", body)  # the contractor id
    for personal in ("4410", "6789", "NameA", "Okafor"):
        assert personal not in body
    assert "/check" in body and "/updates/unsubscribe/" in body

    import_register(incident, None, exposures_file(tmp_path, rows, "again.csv"))  # the same file again
    assert len(alerts()) == 1

    import_register(incident, None, exposures_file(tmp_path, [*rows, ("C-B", "address", "street")], "more.csv"))
    assert [m.to_address for m in alerts()] == ["a@example.org", "b@example.org"]
    assert "Home address" in alerts()[1].body_text and "Bank and payout" not in alerts()[1].body_text


def test_exposures_known_before_subscribing_are_never_announced(app_ctx):
    incident = make_incident()
    person = make_person("C-1")
    expose(person, incident, "contact")
    subscribe(person, incident)
    assert alert_subscribers_of_new_exposures(incident) == 0
    assert alerts() == []


def test_an_exposure_recorded_in_the_same_millisecond_before_subscribing_is_not_announced(app_ctx, monkeypatch):
    incident = make_incident()
    person = make_person("C-1")
    recorded = datetime(2026, 3, 1, 9, 30, 0, 123456, tzinfo=UTC)
    expose(person, incident, "contact")
    db.session.scalar(select(Exposure)).created_at = recorded
    db.session.commit()
    monkeypatch.setattr(updates_service, "utcnow", lambda: recorded + timedelta(microseconds=400))
    subscription = subscribe(person, incident)
    assert subscription.subscribed_at >= recorded
    assert alert_subscribers_of_new_exposures(incident) == 0


def test_unsubscribed_people_are_not_alerted(register, tmp_path):
    incident, people = register
    end_subscription(active_subscription(people["A"], incident))
    import_register(incident, None, exposures_file(tmp_path, [("C-A", "payment", "bank")]))
    assert alerts() == []


def test_each_exposure_is_announced_once_even_if_the_alert_runs_twice(register, tmp_path):
    incident, _people = register
    import_register(incident, None, exposures_file(tmp_path, [("C-B", "resume", "CV")]))
    assert alert_subscribers_of_new_exposures(incident) == 0
    assert len(alerts()) == 1
    assert db.session.scalar(select(Exposure).where(Exposure.category == "resume")).alerted_at is not None


def test_the_alert_is_in_the_persons_language_when_we_have_it(register, tmp_path):
    incident, people = register
    people["A"].preferred_language = "xx"  # no catalog for it: English, not an error
    db.session.commit()
    import_register(incident, None, exposures_file(tmp_path, [("C-A", "payment", "bank")]))
    assert "Bank and payout details" in alerts()[0].body_text

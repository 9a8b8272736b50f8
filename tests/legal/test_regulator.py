import csv
import io
from datetime import date

import pytest

from portal.constants import NotificationStatus as S
from portal.constants import Role
from portal.legal.regulator import regulator_csv, regulator_report
from tests.factories import make_incident, sign_in_staff
from tests.legal.support import bulk_residents, make_batch, notify

DISCOVERED = date(2026, 10, 1)


@pytest.fixture
def incident(app_ctx):
    return make_incident(discovered_on=DISCOVERED, monitoring_months=12)


def line(report, code):
    return next(item for item in report.lines if item.jurisdiction.code == code)


def attorney_general(item):
    return next(ob for ob in item.obligations if ob.rule.who == "attorney_general")


def test_thresholds_501_californians_need_the_ag_sample_249_texans_do_not_250_do(incident):
    bulk_residents(incident, 501, "US", "US-CA")
    bulk_residents(incident, 249, "US", "US-TX")
    report = regulator_report(incident, today=date(2026, 10, 10))
    assert line(report, "US-CA").residents == 501 and attorney_general(line(report, "US-CA")).required
    assert line(report, "US-TX").residents == 249 and not attorney_general(line(report, "US-TX")).required
    bulk_residents(incident, 1, "US", "US-TX")
    report = regulator_report(incident, today=date(2026, 10, 10))
    assert attorney_general(line(report, "US-TX")).required


def test_500_californians_do_not_need_the_ag_sample(incident):
    bulk_residents(incident, 500, "US", "US-CA")
    assert not attorney_general(line(regulator_report(incident, today=DISCOVERED), "US-CA")).required


def test_deadlines_days_left_and_overdue_from_the_discovery_date(incident):
    bulk_residents(incident, 3, "US", "US-CA")
    bulk_residents(incident, 2, "US", "US-TX")
    bulk_residents(incident, 1, "KE")
    report = regulator_report(incident, today=date(2026, 11, 5))
    ca, tx, ke = line(report, "US-CA"), line(report, "US-TX"), line(report, "KE")
    assert ca.due.on == date(2026, 10, 31) and ca.due.days_left == -5 and ca.state == "overdue"
    assert tx.due.on == date(2026, 11, 30) and tx.due.days_left == 25 and tx.state == "due"
    assert ke.state == "no_fixed_deadline"
    commissioner = ke.obligations[0]
    assert commissioner.required and commissioner.due.on == date(2026, 10, 3) and commissioner.due.overdue
    assert ke.overdue and ca.overdue and not tx.overdue  # Kenya's: its Data Commissioner was due on 3 October
    assert [item.jurisdiction.code for item in report.lines] == ["KE", "US-CA", "US-TX"]  # overdue rows first


def test_brazil_is_due_three_business_days_after_discovery(incident):
    bulk_residents(incident, 4, "BR")
    report = regulator_report(incident, today=date(2026, 10, 5))
    brazil = line(report, "BR")
    assert brazil.due.on == date(2026, 10, 6) and brazil.due.days_left == 1
    assert brazil.obligations[0].rule.name.startswith("ANPD") and brazil.obligations[0].due.on == date(2026, 10, 6)


def test_notified_counts_only_notices_that_got_through_and_done_when_all_have(incident):
    people = bulk_residents(incident, 3, "US", "US-MA", categories=("national_id",))
    email = make_batch(incident)
    notify(email, people[0], S.DELIVERED)
    notify(email, people[1], S.BOUNCED)
    notify(email, people[2], S.ACCEPTED)
    ma = line(regulator_report(incident, today=date(2026, 12, 1)), "US-MA")
    assert (ma.residents, ma.notified, ma.outstanding) == (3, 2, 1)
    assert ma.state == "no_fixed_deadline"
    notify(make_batch(incident, "letter"), people[1], S.ACCEPTED)  # re-mailed by letter
    ma = line(regulator_report(incident, today=date(2026, 12, 1)), "US-MA")
    assert ma.notified == 3 and ma.state == "done"


def test_monitoring_months_owed_follow_the_exposed_categories(incident):
    bulk_residents(incident, 2, "US", "US-MA", categories=("national_id",))
    bulk_residents(incident, 5, "US", "US-MA", categories=("contact",))
    bulk_residents(incident, 4, "US", "US-CT", categories=("contact",))
    report = regulator_report(incident, today=DISCOVERED)
    ma, ct = line(report, "US-MA"), line(report, "US-CT")
    assert (ma.monitoring_months, ma.monitoring_people) == (18, 2)
    assert ct.monitoring_months == 0
    assert report.monitoring_months_owed == 18


def test_eu_residents_are_counted_together_and_places_without_rules_are_listed(incident):
    bulk_residents(incident, 2, "FR")
    bulk_residents(incident, 3, "DE")
    bulk_residents(incident, 5, "NG")
    bulk_residents(incident, 2, "NG", "NG-LA")
    bulk_residents(incident, 1, "US", "")
    report = regulator_report(incident, today=DISCOVERED)
    eu = line(report, "EU")
    assert eu.residents == 5 and eu.obligations[0].due.on == date(2026, 10, 3)
    assert dict(report.uncovered) == {"NG": 7, "US (no region)": 1}


def test_regulator_report_page_and_csv(client, incident):
    bulk_residents(incident, 501, "US", "US-CA")
    sign_in_staff(client, Role.LEGAL)
    page = client.get(f"/staff/legal/regulator?incident={incident.id}")
    assert page.status_code == 200 and b"US-CA" in page.data
    download = client.get(f"/staff/legal/regulator.csv?incident={incident.id}")
    assert download.headers["Content-Disposition"].startswith("attachment;")
    rows = list(csv.DictReader(io.StringIO(download.get_data(as_text=True))))
    ca = next(row for row in rows if row["jurisdiction"] == "US-CA")
    assert ca["residents"] == "501" and ca["required"] == "yes" and ca["threshold"] == "501"
    text = regulator_csv(regulator_report(incident, today=date(2026, 12, 1)))
    assert "overdue" in text


def test_overdue_is_said_in_words_not_only_colour(client, app_ctx):
    incident = make_incident(discovered_on=date(2020, 1, 1))
    bulk_residents(incident, 1, "US", "US-CA")
    sign_in_staff(client, Role.ADMIN)
    page = client.get(f"/staff/legal/regulator?incident={incident.id}").get_data(as_text=True)
    assert "OVERDUE" in page and 'class="row-error"' in page


@pytest.mark.parametrize("role", [Role.SUPPORT, Role.AUDITOR])
def test_support_and_auditor_do_not_see_legal_reports(client, incident, role):
    sign_in_staff(client, role)
    for path in (
        "/staff/legal/",
        "/staff/legal/regulator",
        "/staff/legal/declaration",
        "/staff/legal/declaration.csv",
        "/staff/legal/regulator.csv",
        "/staff/legal/jurisdictions",
    ):
        assert client.get(path).status_code == 403, path


def test_every_csv_row_has_a_cell_for_every_column(incident):
    bulk_residents(incident, 3, "US", "US-NY")  # three duties, three rows
    bulk_residents(incident, 2, "NG")  # no rules on file
    rows = list(csv.reader(io.StringIO(regulator_csv(regulator_report(incident, today=DISCOVERED)))))
    assert len(rows) == 5 and {len(row) for row in rows} == {len(rows[0])}
    assert rows[-1][:3] == ["NG", "no rules on file", "2"] and rows[-1][rows[0].index("state")] == "no_rules"

"""Reports of suspicious messages: filed by anyone, stored sealed, grouped by sender for staff."""

import html
import re
from urllib.parse import parse_qs, urlsplit

import pytest

from portal.constants import Role
from portal.extensions import db
from portal.models import AuditEvent, SuspiciousReport
from portal.trust.reports import report_text
from tests.factories import date_fields, make_incident, sign_in_staff


@pytest.fixture
def organisation(app, monkeypatch):
    monkeypatch.setitem(app.config, "ORGANISATION_SENDER_DOMAINS", "example-org.test")
    monkeypatch.setitem(app.config, "ORGANISATION_PHONES", "| +44 20 7946 0000 | 24 hours")


def report(client, sender, text="Pay a fee to get your compensation", channel="email", when=None):
    data = {"channel": channel, "sender": sender, "text": text, **(date_fields("received_on", when) if when else {})}
    return client.post("/report-suspicious", data=data)


def test_a_report_is_stored_with_its_group_and_the_text_sealed(client, app_ctx, organisation):
    answer = report(client, "Claims <pay@examp1e-org.test>", when="2026-11-30")
    assert answer.status_code == 302 and answer.location.endswith("/report-suspicious/thanks")
    row = db.session.query(SuspiciousReport).one()
    assert (row.group_kind, row.group_key, row.verdict) == ("email", "examp1e-org.test", "imitation")
    assert str(row.received_on) == "2026-11-30"
    assert "Pay a fee" not in (row.text_enc or "")
    assert report_text(row) == "Pay a fee to get your compensation"


@pytest.mark.parametrize(
    "data, message",
    [
        ({"sender": "x@y.test", "text": "hi"}, "Choose how the message arrived"),
        ({"channel": "email", "text": "hi"}, "Type the sender"),
        ({"channel": "email", "sender": "x@y.test", "text": "a" * 5001}, "Keep this under 5000 characters"),
        ({"channel": "fax", "sender": "x@y.test"}, "Not a valid choice"),
        ({"channel": "email", "sender": "x@y.test", "received_on-day": "31", "received_on-month": "2"}, "Year"),
    ],
)
def test_bad_reports_get_a_clear_error_and_nothing_is_stored(client, app_ctx, data, message):
    answer = client.post("/report-suspicious", data=data)
    assert answer.status_code == 400
    assert message in html.unescape(answer.get_data(as_text=True))
    assert db.session.query(SuspiciousReport).count() == 0


def test_staff_see_reports_grouped_by_domain_and_phone_with_a_campaign_flag(app, client, app_ctx, organisation):
    for sender in ("a@claims-now.test", "Refunds <b@claims-now.test>", "https://claims-now.test/pay"):
        report(client, sender)
    report(client, "+44 20 7946 0001", channel="call")
    report(client, "0044 20 7946 0001", channel="sms")
    staff = app.test_client()
    sign_in_staff(staff, Role.SUPPORT)
    page = staff.get("/staff/suspicious-reports").get_data(as_text=True).replace("<wbr>", "")
    groups = {}
    for row in re.findall(r"<tr>(.*?)</tr>", page, re.S)[1:]:
        cells = [re.sub(r"<[^>]+>", "", cell).split() for cell in re.findall(r"<td>(.*?)</td>", row, re.S)]
        groups[(cells[0][0], cells[1][0])] = (int(cells[2][0]), int(cells[3][0]), "Campaign?" in cells[0])
    # One domain by email twice (a campaign starting: 3 or more in 48 hours counts, 2 do not), by link
    # once; one phone number written two ways is one group.
    assert groups == {
        ("claims-now.test", "email"): (2, 2, False),
        ("claims-now.test", "link"): (1, 1, False),
        ("+442079460001", "phone"): (2, 2, False),
    }
    report(client, "c@Claims-Now.test")
    page = staff.get("/staff/suspicious-reports").get_data(as_text=True)
    first_row = re.findall(r"<tr>(.*?)</tr>", page, re.S)[1]
    assert "claims-now" in first_row and "Campaign?" in first_row
    assert page.count("Campaign?") == 1


def test_a_group_page_shows_the_texts_is_audited_and_offers_admins_a_warning(app, client, app_ctx, organisation):
    make_incident()
    for _ in range(3):
        report(client, "a@claims-now.test", text="Your refund is waiting")
    admin = app.test_client()
    sign_in_staff(admin, Role.ADMIN)
    page = admin.get("/staff/suspicious-reports/group?kind=email&key=claims-now.test").get_data(as_text=True)
    assert page.count("Your refund is waiting") == 3
    assert db.session.query(AuditEvent).filter_by(action="suspicious_reports.viewed").count() == 1
    link = html.unescape(re.search(r'href="([^"]*/staff/updates/new[^"]*)"', page).group(1))
    draft = admin.get(link).get_data(as_text=True)
    title = parse_qs(urlsplit(link).query)["title"][0]
    assert "claims-now.test" in title and html.escape(title, quote=True) in draft


def test_support_see_no_warning_button_and_contractors_see_nothing(app, client, app_ctx, organisation):
    report(client, "a@claims-now.test")
    support = app.test_client()
    sign_in_staff(support, Role.SUPPORT)
    page = support.get("/staff/suspicious-reports/group?kind=email&key=claims-now.test").get_data(as_text=True)
    assert "/staff/updates/new" not in page
    assert client.get("/staff/suspicious-reports").status_code in (302, 303)
    auditor = app.test_client()
    sign_in_staff(auditor, Role.AUDITOR)
    assert auditor.get("/staff/suspicious-reports").status_code == 403


def test_reports_are_throttled_per_address(app, client, app_ctx, monkeypatch):
    monkeypatch.setitem(app.config, "REPORT_LIMIT_PER_IP", "2 per hour")
    for _ in range(2):
        assert report(client, "a@claims-now.test").status_code == 302
    assert report(client, "a@claims-now.test").status_code == 429
    assert db.session.query(SuspiciousReport).count() == 2

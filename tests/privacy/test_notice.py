"""The public privacy notice says what the configuration says: periods, dates, who sees what, how to ask."""

from datetime import date

from portal.privacy.schedule import retention_kinds
from tests.factories import make_incident


def test_the_notice_is_built_from_the_configuration(client, app_ctx):
    make_incident(title="Vendor breach, June", claim_deadline=date(2026, 1, 1))
    response = client.get("/privacy")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    for kind in retention_kinds():
        assert f"{kind.days} days" in page or f"{kind.days} day" in page, kind.code
    assert "Receipts and documents uploaded as proof of a loss." in page
    assert "Vendor breach, June" in page and "June 30, 2026" in page  # notice codes: deadline + 180 days
    assert "Your date of birth: the incident team, legal staff" in page  # from ROLES_READING_BIRTH_DATES
    assert "Brazil" in page and "15 days" in page and "1 month" in page  # LGPD, GDPR
    assert "Our backups keep a copy of the data for 35 days" in page
    assert 'href="/check"' in page


def test_every_page_links_to_it(client, app_ctx):
    assert 'href="/privacy"' in client.get("/").get_data(as_text=True)


def test_the_retention_texts_are_extracted_for_translation():
    from pathlib import Path

    from portal.privacy.schedule import SCHEDULE_PATH, extract_retention

    with Path(SCHEDULE_PATH).open("rb") as handle:
        messages = [message for _, _, message, _ in extract_retention(handle, [], [], {})]
    assert "Receipts and documents uploaded as proof of a loss." in messages and len(messages) == 14

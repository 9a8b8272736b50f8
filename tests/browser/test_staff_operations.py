"""The staff operations pages per role at 1280 and 360 px (axe-core: no violations), the staff
navigation at desk width, and the declaration's print view on A4 and Letter."""

from datetime import date

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from portal.constants import ClaimStatus, FraudSignalKind, Role
from portal.constants import NotificationStatus as S
from portal.extensions import db
from portal.models import FraudSignal, Notification, Person
from tests.browser.a11y import assert_fits_phone, assert_no_axe_violations
from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.test_staff_pages import sign_in
from tests.factories import make_batch_with_notifications, make_incident
from tests.legal.support import bulk_residents, claimant, make_batch, make_claim, notify

pytestmark = pytest.mark.browser

# Printable width in CSS pixels (96 per inch) with 12 mm margins: A4 is 210 mm wide, Letter 8.5 in.
PRINT_WIDTHS = {"A4": round((210 - 24) / 25.4 * 96), "Letter": round((8.5 * 25.4 - 24) / 25.4 * 96)}


@pytest.fixture
def person_uid(app) -> str:
    with app.app_context():
        batch = make_batch_with_notifications(count=1)
        notification = db.session.scalar(select(Notification).where(Notification.batch_id == batch.id))
        return db.session.get(Person, notification.person_id).uid


@pytest.fixture
def flagged_claim(app) -> int:
    with app.app_context():
        incident = make_incident(slug="flagged", discovered_on=date(2026, 10, 1))
        claim = make_claim(claimant(incident, "C-FLAGGED"), incident, status=ClaimStatus.SUBMITTED)
        db.session.add(FraudSignal(claim_id=claim.id, kind=FraudSignalKind.REUSED_PROOF_FILE, detail="also on K7Q"))
        db.session.commit()
        return claim.id


def _pages(role, person_uid, flagged_claim) -> list[str]:
    return {
        Role.ADMIN: ["/staff/accounts", "/staff/audit", "/staff/audit?action=staff.signed_in&date_from=nonsense"],
        Role.AUDITOR: ["/staff/audit", "/staff/audit?target_type=staff"],
        Role.SUPPORT: [f"/staff/people/{person_uid}"],
        Role.LEGAL: [f"/staff/claims/{flagged_claim}/approve", f"/staff/claims/{flagged_claim}"],
    }[role]


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
@pytest.mark.parametrize("role", [Role.ADMIN, Role.AUDITOR, Role.SUPPORT, Role.LEGAL])
def test_each_roles_new_pages_pass_axe_at_1280_and_360(
    browser, browser_context_args, app, role, viewport, person_uid, flagged_claim
):
    size = DESKTOP if viewport == "desktop" else PHONE
    context = browser.new_context(**{**browser_context_args, **size})
    page = context.new_page()
    try:
        sign_in(page, app, role)
        for path in _pages(role, person_uid, flagged_claim):
            page.goto(path)
            expect(page.get_by_role("heading", level=1)).to_be_visible()
            assert_no_axe_violations(page)
            if viewport == "phone":
                assert_fits_phone(page)
            assert page.locator(".site-footer").count() == 0  # the contractors' footer is not on staff pages
    finally:
        context.close()


def test_admin_navigation_takes_at_most_two_lines_at_1280(desktop_page: Page, app):
    page = desktop_page
    sign_in(page, app, Role.ADMIN)
    tops = page.eval_on_selector_all(
        ".staff-nav li", "items => items.map(i => Math.round(i.getBoundingClientRect().top))"
    )
    assert len(tops) >= 8 and len(set(tops)) <= 2, tops


@pytest.fixture
def declaration_incident(app) -> int:
    with app.app_context():
        incident = make_incident(slug="print", discovered_on=date(2026, 10, 1))
        people = bulk_residents(incident, 12, "US", "US-MA")
        for n in range(3):
            batch = make_batch(incident, name=f"Second reminder to Massachusetts residents {n}")
            for person, status in zip(people, [S.DELIVERED, S.BOUNCED, S.QUEUED, S.FAILED] * 3, strict=False):
                notify(batch, person, status)
        return incident.id


@pytest.mark.parametrize("paper", ["A4", "Letter"])
def test_the_declaration_prints_on_a4_and_letter_without_cut_columns(
    desktop_page: Page, app, declaration_incident, paper
):
    page = desktop_page
    sign_in(page, app, Role.LEGAL)
    page.goto(f"/staff/legal/declaration?incident={declaration_incident}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Notice declaration")
    page.emulate_media(media="print")
    width = PRINT_WIDTHS[paper]
    page.set_viewport_size({"width": width, "height": 1000})
    widest = page.evaluate(
        "Math.max(document.documentElement.scrollWidth,"
        " ...[...document.querySelectorAll('table')].map(t => t.scrollWidth))"
    )
    assert widest <= width, f"the declaration is {widest}px wide in print; {paper} holds {width}px"
    pdf = page.pdf(format=paper, margin={"top": "12mm", "bottom": "12mm", "left": "12mm", "right": "12mm"})
    assert pdf.startswith(b"%PDF")

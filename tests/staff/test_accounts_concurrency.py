"""Two admins changing accounts at the same moment, against a real threaded server: exactly one wins.

With two admins each deactivating (or demoting) the other, both changes at once would leave no
admin at all; the set of active admins is locked while a change is decided, so the second sees the
first's result: its own account no longer an admin, it changes nothing.
"""

import pytest
from sqlalchemy import func, select

from portal.constants import AuditAction, Role
from portal.extensions import db
from portal.models import AuditEvent, StaffUser
from portal.staff.service import create_staff_user
from tests.factories import STAFF_PASSWORD
from tests.live import LiveBrowser, at_once


def _admins(live_browser, count):
    browsers, users = [], []
    for n in range(count):
        user, secret = create_staff_user(f"admin-race-{n}@staff.example.org", Role.ADMIN, STAFF_PASSWORD)
        browser = LiveBrowser(live_browser.base)
        browser.sign_in_staff(user.email, secret)
        browsers.append(browser)
        users.append(user)
    return browsers, users


def _active_admins() -> int:
    db.session.expire_all()
    query = select(func.count()).select_from(StaffUser).where(StaffUser.role == "admin", StaffUser.active.is_(True))
    return db.session.scalar(query)


def _audits(action) -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action))


@pytest.mark.parametrize(
    ("path", "data", "action"),
    [("deactivate", {}, AuditAction.STAFF_DEACTIVATED), ("role", {"role": "auditor"}, AuditAction.STAFF_ROLE_CHANGED)],
)
def test_the_last_two_admins_acting_on_each_other_at_once_leave_one(app_ctx, live_browser, path, data, action):
    browsers, users = _admins(live_browser, 2)
    forms = [browser.form("/staff/accounts") for browser in browsers]
    ids = [user.id for user in users]

    def act(i):
        return browsers[i].request("POST", f"/staff/accounts/{ids[1 - i]}/{path}", {**forms[i], **data})

    answers = at_once(2, act)
    assert not any(isinstance(a, Exception) for a in answers), answers
    assert all(a.status == 302 for a in answers), [(a.status, a.text[:300]) for a in answers]
    assert _active_admins() == 1
    assert _audits(action) == 1


def test_two_admins_deactivating_one_account_at_once_change_it_once(app_ctx, live_browser):
    browsers, _ = _admins(live_browser, 3)
    target = db.session.scalar(select(StaffUser.id).where(StaffUser.email == "admin-race-2@staff.example.org"))
    forms = [browser.form("/staff/accounts") for browser in browsers[:2]]
    answers = at_once(2, lambda i: browsers[i].request("POST", f"/staff/accounts/{target}/deactivate", forms[i]))
    assert all(a.status == 302 for a in answers)
    assert _active_admins() == 2
    assert _audits(AuditAction.STAFF_DEACTIVATED) == 1


def test_an_enrolment_link_submitted_from_several_tabs_at_once_enrols_once(app_ctx, live_browser):
    import re

    import pyotp

    from portal.staff.accounts import invite_staff
    from tests.live import one_winner, race

    admin, _secret = create_staff_user("admin-inviter@staff.example.org", Role.ADMIN, STAFF_PASSWORD)
    token = invite_staff(admin, "racer@staff.example.org", "support")
    opened = live_browser.get(f"/staff/enrol/{token}")
    assert opened.status == 302 and opened.location.endswith("/staff/enrol")
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', live_browser.get("/staff/enrol").text).group(1)
    tabs = [live_browser.tab() for _ in range(4)]
    password = "a brand new password"
    answers = race(tabs, "/staff/enrol", password=password, password_again=password, code=pyotp.TOTP(secret).now())
    losers = one_winner(answers, lambda a: a.status == 302)
    assert all(a.status in (400, 404) for a in losers), [(a.status, a.text[:200]) for a in losers]
    count = select(func.count()).select_from(StaffUser).where(StaffUser.email == "racer@staff.example.org")
    assert db.session.scalar(count) == 1
    assert _audits(AuditAction.STAFF_ENROLLED) == 1

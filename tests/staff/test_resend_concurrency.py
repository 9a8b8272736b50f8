"""Two support agents with the same caller, or one agent's double click, against a real threaded
server with CSRF on: the notice is sent again once, with one audit row, and nobody sees an error."""

import html
import re

import pytest
from sqlalchemy import func, select

from portal.constants import Role
from portal.extensions import db
from portal.models import AuditEvent, LetterRequest, Notification
from portal.staff.resend import NOTICE_RESENT
from portal.staff.service import create_staff_user
from portal.trust.constants import TrustAudit
from tests.factories import STAFF_PASSWORD
from tests.live import LiveBrowser, at_once
from tests.staff.test_resend import BIRTH_DATE, _person_with_a_notice

_INPUT = re.compile(r"<input[^>]*>")
_ATTRIBUTE = re.compile(r'(name|value)="([^"]*)"')
AUDITED = {"email": NOTICE_RESENT, "letter": TrustAudit.LETTER_REQUESTED}


def _agent_at_the_check_page(browser: LiveBrowser, person, channel: str) -> dict:
    """Sign-in done: check the caller, give the reason, and hold the check page's confirm form."""
    page = f"/staff/people/{person.uid}"
    checked = browser.submit(page, post_to=f"{page}/check-birth-date", date_of_birth=BIRTH_DATE)
    assert checked.status == 200 and "It matches." in checked.text, checked.status
    check = browser.submit(f"{page}/resend/{channel}", reason="The caller says nothing arrived")
    assert check.status == 200 and "Check your answers" in check.text, (check.status, check.text[:300])
    confirm = check.text[check.text.index(f"/resend/{channel}/confirm") :]
    fields = [dict(_ATTRIBUTE.findall(tag)) for tag in _INPUT.findall(confirm[: confirm.index("</form>")])]
    return {f["name"]: html.unescape(f["value"]) for f in fields}


def _agents(live_browser, count) -> list[LiveBrowser]:
    browsers = []
    for n in range(count):
        user, secret = create_staff_user(f"support-race-{n}@staff.example.org", Role.SUPPORT, STAFF_PASSWORD)
        browser = LiveBrowser(live_browser.base)
        browser.sign_in_staff(user.email, secret)
        browsers.append(browser)
    return browsers


def _audits(action) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action))


def _resent(person, channel) -> int:
    db.session.expire_all()
    if channel == "email":  # the first notice, plus each resend
        query = select(func.count()).select_from(Notification).where(Notification.person_id == person.id)
        return db.session.scalar(query) - 1
    return db.session.scalar(
        select(func.count()).select_from(LetterRequest).where(LetterRequest.person_id == person.id)
    )


@pytest.mark.parametrize("channel", ["email", "letter"])
def test_two_agents_confirming_at_once_send_the_notice_once(app_ctx, live_browser, channel):
    person = _person_with_a_notice()
    browsers = _agents(live_browser, 2)
    forms = [_agent_at_the_check_page(browser, person, channel) for browser in browsers]
    path = f"/staff/people/{person.uid}/resend/{channel}/confirm"
    answers = at_once(2, lambda i: browsers[i].request("POST", path, forms[i]))
    assert not any(isinstance(a, Exception) for a in answers), answers
    assert all(a.status == 302 for a in answers), [(a.status, a.text[:300]) for a in answers]
    assert _resent(person, channel) == 1
    assert _audits(AUDITED[channel]) == 1


@pytest.mark.parametrize("channel", ["email", "letter"])
def test_a_double_click_on_confirm_sends_the_notice_once(app_ctx, live_browser, channel):
    person = _person_with_a_notice()
    (browser,) = _agents(live_browser, 1)
    form = _agent_at_the_check_page(browser, person, channel)
    tabs = [browser.tab() for _ in range(3)]
    path = f"/staff/people/{person.uid}/resend/{channel}/confirm"
    answers = at_once(3, lambda i: tabs[i].request("POST", path, form))
    assert all(not isinstance(a, Exception) and a.status == 302 for a in answers), answers
    assert _resent(person, channel) == 1
    assert _audits(AUDITED[channel]) == 1

"""``flask dev demo-data``: a newcomer can try every contractor path from the printed codes alone.

The printed credentials are the interface: each test reads the people from the command's output
(what a newcomer reads), not from the module that made them.
"""

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from portal.batches.service import count_audience, create_letter_batch_for_bounced
from portal.constants import MailKind, NotificationStatus
from portal.core.time import utctoday
from portal.extensions import db
from portal.models import (
    Batch,
    Claim,
    ClaimBenefit,
    ClaimStatusChange,
    Exposure,
    Incident,
    Notification,
    OutboxMessage,
    Person,
    StaffUser,
)
from tests.catalogs import translated_app
from tests.factories import check_form

PRINTED = re.compile(
    r"^  \[(?P<flow>[a-z-]+)\] (?P<heading>.+)\n"
    r"    notice code (?P<code>\S+)  last name (?P<last_name>.+?)  "
    r"date of birth  day (?P<day>\d+)  month (?P<month>\d+)  year (?P<year>\d+)\n"
    r"    .*?, (?:email (?P<email>\S+)|no email address)\n",
    re.MULTILINE,
)
LANGUAGE_MARK = "Tafsiri"  # the heading's translation in the throw-away catalogs below


@dataclass(frozen=True)
class Printed:
    flow: str
    heading: str
    code: str
    last_name: str
    date_of_birth: str
    email: str | None


def printed_people(output: str) -> list[Printed]:
    return [
        Printed(
            m["flow"],
            m["heading"],
            m["code"],
            m["last_name"],
            f"{int(m['year']):04d}-{int(m['month']):02d}-{int(m['day']):02d}",
            m["email"],
        )
        for m in PRINTED.finditer(output)
    ]


def load_demo(runner, people=40):
    result = runner.invoke(args=["dev", "demo-data", "--people", str(people)])
    assert result.exit_code == 0, result.output
    return result.output


def sign_in(client, person: Printed):
    response = client.post("/check", data=check_form(person.code, person.last_name, person.date_of_birth))
    assert response.status_code == 302 and response.location.endswith("/my"), (person.flow, response.status_code)


def text(response) -> str:
    return response.get_data(as_text=True)


def register_person(client) -> Person:
    """The register entry the client's printed code signed in as."""
    with client.session_transaction() as session:
        uid = session["contractor_uid"]
    return db.session.scalars(select(Person).where(Person.uid == uid)).one()


# -- one check per path: what the credentials say the person is there to try ----------------------


def reach_a_fresh_claim(client, person, incident):
    assert db.session.scalar(select(func.count(Claim.id)).where(Claim.person_id == register_person(client).id)) == 0
    assert "Start your claim" in text(client.get(f"/my/claims/start/{incident.id}"))
    started = client.post(f"/my/claims/start/{incident.id}")
    assert started.status_code == 302 and started.location.endswith("/benefits")
    assert "What do you want to claim?" in text(client.get(started.location))


def reach_the_information_request(client, person, incident):
    claim = db.session.scalars(select(Claim).where(Claim.person_id == register_person(client).id)).one()
    status = text(client.get(f"/my/claims/{claim.id}"))
    assert "What we need from you" in status and "Answer this request" in status
    assert client.get(f"/my/claims/{claim.id}/answer").status_code == 200


def reach_the_appeal(client, person, incident):
    claim = db.session.scalars(select(Claim).where(Claim.person_id == register_person(client).id)).one()
    status = text(client.get(f"/my/claims/{claim.id}"))
    assert "Why your claim was not approved" in status and "Appeal this decision" in status
    assert client.get(f"/my/claims/{claim.id}/appeal").status_code == 200


def reach_the_exclusion_form(client, person, incident):
    page = text(client.get(f"/my/exclusion/{incident.slug}"))
    assert "Ask to be excluded from the settlement" in page and "You have sent a claim" not in page


def reach_monitoring_without_email(client, person, incident):
    assert person.email is None and register_person(client).email in ("", None)
    products = text(client.get(f"/my/monitoring/{incident.id}"))
    enroll = re.search(r'href="(/my/monitoring/product/\d+)">.*?>Enroll in Identity', products)
    confirm = text(client.get(enroll.group(1)))
    assert "We have no email address for you, so keep the code we show you." in confirm
    assert "We have no email address for you, so we cannot send you updates." in text(
        client.get(f"/my/updates/{incident.id}")
    )


def reach_the_bounce(client, person, incident):
    me = register_person(client)
    latest = db.session.scalars(
        select(Notification).where(Notification.person_id == me.id).order_by(Notification.id.desc())
    ).first()
    assert latest is not None and latest.status == NotificationStatus.BOUNCED
    emailed = db.session.scalars(select(Batch).where(Batch.id == latest.batch_id)).one()
    admin = db.session.scalars(select(StaffUser).where(StaffUser.email == "admin@demo.example")).one()
    letters = create_letter_batch_for_bounced(emailed, admin)
    assert count_audience(letters) == 1  # only this person's notice bounced


def reach_us_only_help(client, person, incident):
    me = register_person(client)
    assert (me.country, me.region) == ("US", "US-MA")
    page = text(client.get("/my"))
    assert "Place a free credit freeze with Equifax." in page
    products = text(client.get(f"/my/monitoring/{incident.id}"))
    assert "Three-bureau credit monitoring" in products


def reach_a_new_code_by_email(client, person, incident):
    client.get("/my")  # the page with the Sign out button
    client.post("/sign-out")
    assert client.post("/lost-code", data={"email": person.email}).status_code == 302
    mail = db.session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.kind == MailKind.NOTICE_CODE_REISSUE, OutboxMessage.to_address == person.email
        )
    ).one()
    new_code = re.search(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", mail.body_text).group()
    assert new_code != person.code
    sign_in(client, Printed(person.flow, person.heading, new_code, person.last_name, person.date_of_birth, None))


def reach_their_language(client, person, incident):
    tag = register_person(client).preferred_language
    with client.session_transaction() as session:
        assert session["contractor_lang"] == tag  # their pages default to it
    # Registers write BCP 47 (pt-BR); the portal offers the language as LANGUAGES spells it (pt).
    assert tag.split("-")[0].lower() in client.application.config["LANGUAGES"]


FLOWS = {
    "claim": reach_a_fresh_claim,
    "claim-needs-info": reach_the_information_request,
    "claim-denied": reach_the_appeal,
    "exclusion": reach_the_exclusion_form,
    "no-email": reach_monitoring_without_email,
    "bounced": reach_the_bounce,
    "us-ma": reach_us_only_help,
    "lost-code": reach_a_new_code_by_email,
    "language": reach_their_language,
}


def test_demo_data_loads_once_and_prints_a_working_code_for_every_path(runner, client, app_ctx):
    output = load_demo(runner)
    assert Person.query.count() == 40 + len(printed_people(output))
    assert {user.role for user in StaffUser.query} == {"admin", "legal", "support", "auditor"}
    people = printed_people(output)
    assert {person.flow for person in people} == set(FLOWS)
    for person in people:
        sign_in(client, person)
        client.get("/my")  # the page with the Sign out button
        client.post("/sign-out")
    again = runner.invoke(args=["dev", "demo-data", "--people", "40"])
    assert again.exit_code == 0 and "already loaded" in again.output
    assert printed_people(again.output) == people
    assert Person.query.count() == 40 + len(people)


def test_each_printed_person_reaches_the_path_they_are_listed_for(runner, app, app_ctx):
    people = printed_people(load_demo(runner))
    incident = Incident.query.one()
    for person in people:
        client = app.test_client()
        sign_in(client, person)
        FLOWS[person.flow](client, person, incident)


def test_the_language_people_see_the_portal_in_their_language_once_it_has_a_catalog(runner, app, app_ctx, tmp_path):
    people = [person for person in printed_people(load_demo(runner)) if person.flow == "language"]
    messages = {"Your information, %(name)s": LANGUAGE_MARK + " ({code}), %(name)s"}
    with translated_app(app, tmp_path, messages) as translated:
        languages = [code for code in app.config["LANGUAGES"] if code != "en"]
        seen = set()
        for person in people:
            client = translated.test_client()
            sign_in(client, person)
            page = text(client.get("/my"))
            code = re.search(r'<html lang="([^"]+)"', page).group(1)
            assert f"{LANGUAGE_MARK} ({code})," in page, person.heading
            seen.add(code)
        assert sorted(seen) == sorted(languages)  # one person for each language the portal offers


def test_demo_dates_follow_the_incident_it_describes(runner, app_ctx):
    load_demo(runner)
    incident = Incident.query.one()
    window_end = incident.occurred_on + timedelta(days=7)
    assert incident.occurred_on < incident.discovered_on < utctoday()
    assert f"between {incident.occurred_on.day} {incident.occurred_on:%B %Y}" in incident.what_happened
    assert utctoday() < incident.enrollment_deadline < incident.claim_deadline  # every path is open
    exposed = db.session.execute(select(func.min(Exposure.exposed_at), func.max(Exposure.exposed_at))).one()
    assert incident.occurred_on <= exposed[0] and exposed[1] <= window_end
    submitted = db.session.scalar(select(func.min(Claim.submitted_at)))
    assert submitted.date() > incident.discovered_on
    assert db.session.scalar(select(func.max(ClaimStatusChange.at))) <= datetime.now(UTC)
    losses = db.session.scalar(select(func.min(ClaimBenefit.incurred_on)))
    assert losses >= incident.occurred_on
    decided = db.session.scalars(select(Claim).where(Claim.status != "submitted")).all()
    assert decided and all(
        len(db.session.scalars(select(ClaimStatusChange).where(ClaimStatusChange.claim_id == c.id)).all()) >= 2
        for c in decided
    )  # each decision is in the claim's history, so its status page is not blank


@pytest.mark.parametrize("port", [5000, 8123])
def test_the_printed_links_and_the_mailed_links_follow_the_public_url(runner, app, app_ctx, port):
    url = f"http://127.0.0.1:{port}"
    app.config["PUBLIC_URL"] = url
    try:
        output = load_demo(runner)
        assert f"Contractors: {url}/check" in output and f"Staff sign-in: {url}/staff/sign-in" in output
        notices = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == MailKind.NOTICE)).all()
        assert notices and all(f"{url}/check" in mail.body_text for mail in notices)
        elsewhere = "http://127.0.0.1:9999"
        app.config["PUBLIC_URL"] = elsewhere
        again = runner.invoke(args=["dev", "demo-data"])
        assert f"Contractors: {elsewhere}/check" in again.output and url not in again.output
    finally:
        app.config["PUBLIC_URL"] = "http://127.0.0.1:5000"

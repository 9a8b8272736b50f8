"""The action checklist on the exposure page: tick and save, untick, progress, and country-aware steps."""

import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from portal.core.taxonomy import TaxonomyError, load_taxonomy
from portal.extensions import db
from portal.models import StepCompletion
from tests.factories import expose, make_incident, make_person
from tests.monitoring.helpers import sign_in


def progress(page: str) -> str:
    return re.search(r"(\d+ of \d+ steps? done)", page).group(1)


def save(client, incident, category, done=(), was_done=()):
    """Send one card's form: ``done`` the boxes ticked, ``was_done`` the steps drawn as done."""
    return client.post(f"/my/steps/{incident.id}/{category}", data={"done": list(done), "was_done": list(was_done)})


def mark(client, incident, category, step_id, done=True):
    """Tick one step on a card where nothing else is done, or untick it where only it is."""
    return save(client, incident, category, done=[step_id] if done else [], was_done=[] if done else [step_id])


def checkbox(page: str, incident, category, step_id) -> str:
    return re.search(rf'<input[^>]*id="step-{incident.id}-{category}-{step_id}-box"[^>]*>', page).group(0)


def test_marking_a_step_done_shows_it_done_and_counts_progress(client, app_ctx):
    incident = make_incident()
    person = make_person("C-1", country="KE")
    expose(person, incident, "payment", "bank account ending 4410")
    sign_in(client, person)
    total = len(load_taxonomy()["payment"].steps_for("KE"))
    page = client.get("/my").get_data(as_text=True)
    assert progress(page) == f"0 of {total} steps done"
    assert page.count('name="done"') == total and "checked" not in checkbox(page, incident, "payment", "tell-provider")

    response = mark(client, incident, "payment", "tell-provider")
    assert response.status_code == 302
    assert response.location.endswith(f"/my#card-{incident.id}-payment")  # back to the card that was saved
    page = client.get("/my").get_data(as_text=True)
    assert progress(page) == f"1 of {total} steps done"
    assert f"Saved: 1 of {total} steps done." in page
    assert "checked" in checkbox(page, incident, "payment", "tell-provider")
    folded = re.search(r'<details class="details done-steps">(.*?)</details>', page, re.S).group(1)
    assert "The step you have done" in folded and "tell-provider" in folded  # done steps fold away
    assert "Saved:" not in client.get("/my").get_data(as_text=True)  # said once


def test_undo_removes_the_mark_and_marking_twice_keeps_one(client, app_ctx):
    incident = make_incident()
    person = make_person("C-1", country="KE")
    expose(person, incident, "contact")
    sign_in(client, person)
    mark(client, incident, "contact", "email-two-step")
    mark(client, incident, "contact", "email-two-step")  # a double tap
    assert db.session.scalar(select(func.count(StepCompletion.id))) == 1
    assert mark(client, incident, "contact", "email-two-step", done=False).status_code == 302
    assert db.session.scalar(select(func.count(StepCompletion.id))) == 0
    assert progress(client.get("/my").get_data(as_text=True)).startswith("0 of ")


def test_overall_progress_adds_up_the_categories(client, app_ctx):
    incident = make_incident()
    person = make_person("C-1", country="KE")
    expose(person, incident, "contact")
    expose(person, incident, "credentials")
    sign_in(client, person)
    mark(client, incident, "contact", "sim-swap-lock")
    mark(client, incident, "credentials", "change-passwords")
    mark(client, incident, "credentials", "revoke-keys")
    total = len(load_taxonomy()["contact"].steps) + len(load_taxonomy()["credentials"].steps)
    page = client.get("/my").get_data(as_text=True)
    overall = re.search(r'id="progress-overall">\s*<strong>(.*?)</strong>', page).group(1)
    assert overall == f"3 of {total} steps done"
    assert "2 of 4 steps done" in page and "1 of 4 steps done" in page


def test_a_step_shared_by_two_incidents_is_done_once_for_both(client, app_ctx):
    first, second = make_incident("first"), make_incident("second", title="Support tool breach")
    person = make_person("C-1", country="KE")
    expose(person, first, "resume")
    expose(person, second, "resume")
    sign_in(client, person)
    mark(client, second, "resume", "careful-with-job-offers")
    page = client.get("/my").get_data(as_text=True)
    assert page.count("1 of 1 step done") == 1  # the overall line; both cards say they are done
    assert page.count(" card-complete") == 2  # both cards folded up as done
    assert len(re.findall(r'value="careful-with-job-offers"\s*checked', page)) == 2


def test_a_us_national_id_lists_the_three_credit_bureaus_with_their_contacts(client, app_ctx):
    incident = make_incident()
    person = make_person("C-US", country="US")
    expose(person, incident, "national_id", "SSN ending 1234")
    sign_in(client, person)
    page = client.get("/my").get_data(as_text=True)
    for bureau, phone, site in (
        ("Equifax", "1-888-298-0045", "https://www.equifax.com/personal/credit-report-services/"),
        ("Experian", "1-888-397-3742", "https://www.experian.com/help/"),
        ("TransUnion", "1-888-909-8872", "https://www.transunion.com/credit-help"),
    ):
        assert f"Place a free credit freeze with {bureau}." in page
        assert f'href="tel:{phone}"' in page and f'href="{site}"' in page
    assert "Identity Protection PIN" in page
    assert "Check any credit or loan records you can get in your country" not in page  # replaced by the bureaus


def test_other_countries_get_the_steps_that_apply_there(client, app_ctx):
    incident = make_incident()
    kenyan = make_person("C-KE", country="KE")
    brazilian = make_person("C-BR", country="BR", last_name="Silva")
    for person in (kenyan, brazilian):
        expose(person, incident, "national_id")
        expose(person, incident, "payment")
        expose(person, incident, "video")
    sign_in(client, kenyan)
    page = client.get("/my").get_data(as_text=True)
    assert "Equifax" not in page and "credit freeze" not in page
    assert "KRA iTax" in page and "M-Pesa" in page and "Registrato" not in page
    assert "Tell your bank or payment provider" in page
    assert "impersonate your voice or face using your interview video" in page
    assert "account takeover" in page or "taking over an account" in page
    client.post("/sign-out")
    sign_in(client, brazilian)
    page = client.get("/my").get_data(as_text=True)
    assert "Registrato" in page and "Pix keys" in page and "KRA iTax" not in page and "Equifax" not in page


def test_steps_not_on_the_persons_own_list_cannot_be_marked(client, app_ctx):
    incident = make_incident()
    person = make_person("C-KE", country="KE")
    expose(person, incident, "national_id")
    sign_in(client, person)
    assert mark(client, incident, "national_id", "us-freeze-equifax").status_code == 404  # a US-only step
    assert mark(client, incident, "payment", "tell-provider").status_code == 404  # not exposed
    assert mark(client, incident, "national_id", "no-such-step").status_code == 404
    assert mark(client, make_incident("other"), "national_id", "ke-itax").status_code == 404  # not in that incident
    assert save(client, incident, "national_id", done=["ke-itax", "maybe"]).status_code == 404  # all or nothing
    assert db.session.scalar(select(func.count(StepCompletion.id))) == 0


def test_marks_belong_to_their_person(client, app_ctx):
    incident = make_incident()
    first = make_person("C-1", country="KE")
    second = make_person("C-2", country="KE")
    for person in (first, second):
        expose(person, incident, "resume")
    sign_in(client, first)
    mark(client, incident, "resume", "careful-with-job-offers")
    client.post("/sign-out")
    sign_in(client, second)
    assert progress(client.get("/my").get_data(as_text=True)) == "0 of 1 step done"


def test_anonymous_visitors_cannot_mark_steps(client, app_ctx):
    incident = make_incident()
    client.get("/check")  # any page of the session holds its token; the sign-in gate must still refuse
    response = mark(client, incident, "resume", "careful-with-job-offers")
    assert response.status_code == 302 and response.location.endswith("/check")


def test_every_step_has_an_id_unique_in_its_category():
    for category in load_taxonomy().values():
        ids = [step.id for step in category.steps]
        assert ids and len(ids) == len(set(ids)), category.code


@pytest.mark.parametrize(
    ("step", "message"),
    [
        ("- {id: same, text: A}\n      - {id: same, text: B}", "used twice"),
        ("- {text: No id}", "needs an id"),
        ("- {id: x, text: A, countries: [usa]}", "alpha-2"),
    ],
)
def test_a_malformed_taxonomy_is_refused_at_load(tmp_path: Path, step, message):
    path = tmp_path / "categories.yaml"
    header = "categories:\n  - code: c\n    title: T\n    severity: low\n    means: M\n    steps:\n"
    path.write_text(f"{header}      {step}\n")
    with pytest.raises(TaxonomyError, match=message):
        load_taxonomy.__wrapped__(path)


def test_a_form_left_open_in_another_tab_does_not_undo_a_step_marked_since(client, app_ctx):
    incident = make_incident()
    person = make_person("C-1", country="KE")
    expose(person, incident, "contact")
    sign_in(client, person)
    mark(client, incident, "contact", "email-two-step")  # ticked in one tab
    # The other tab drew the card before that: it knows nothing of email-two-step, and ticks another.
    assert save(client, incident, "contact", done=["sim-swap-lock"], was_done=[]).status_code == 302
    done = set(db.session.scalars(select(StepCompletion.step_id)))
    assert done == {"email-two-step", "sim-swap-lock"}
    assert save(client, incident, "contact", done=["sim-swap-lock"], was_done=[]).status_code == 302  # resent
    assert db.session.scalar(select(func.count(StepCompletion.id))) == 2


def test_the_page_has_one_save_button_per_card_and_a_finished_card_folds_up(client, app_ctx):
    incident = make_incident()
    person = make_person("C-1", country="KE")
    for category in ("national_id", "payment", "resume"):
        expose(person, incident, category)
    sign_in(client, person)
    page = client.get("/my").get_data(as_text=True)
    assert page.count(">Save my steps<") == 3 and "Mark as done" not in page
    assert page.count('href="#card-') == 3  # the contents: each card, with its progress
    mark(client, incident, "resume", "careful-with-job-offers")
    page = client.get("/my").get_data(as_text=True)
    card = re.search(rf'class="card card-low card-complete" id="card-{incident.id}-resume">(.*?)</form>', page, re.S)
    assert card is not None
    assert "The step is done" in card.group(1)
    assert "<summary>What this means, and your steps</summary>" in card.group(1)  # collapsed behind one line

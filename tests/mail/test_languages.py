"""Every mail to a person is in their register language: lost code, claim received, request for
information, monitoring code and new-exposure alert, for each of the six translated languages.

Each mail is sent the way the portal sends it (a service call, outside any page request, as a
worker or an import would) and read back from the outbox: its subject is the translated one, and
no English sentence the catalog translates is left in it. Dates are in the reader's locale.
"""

import re
from datetime import date
from functools import cache
from pathlib import Path
from types import SimpleNamespace

import pytest
from babel.dates import format_date
from babel.messages.pofile import read_po
from flask_babel import force_locale, gettext

from portal.claims.mail import send_claim_submitted, send_info_request
from portal.constants import MailKind
from portal.extensions import db
from portal.imports.service import import_register
from portal.monitoring.service import enroll
from portal.updates.service import subscribe
from portal.verify.service import reissue_notice_code
from tests.factories import expose, make_incident, make_person
from tests.monitoring.helpers import add_codes, make_product, outbox
from tests.updates.test_alerts import exposures_file

pytestmark = pytest.mark.usefixtures("app_ctx")

FOLDER = Path(__file__).resolve().parents[2] / "portal" / "translations"
LANGUAGES = ["es", "pt", "fr", "hi", "fil", "sw"]
_SPLIT = re.compile(r"%\([a-z_]+\)[sd]|\{[a-z_]*\}|\(\([a-z_]+\)\)|<[^>]+>|\n")


@cache
def english_sentences(language: str) -> tuple[str, ...]:
    """Pieces of three words or more of every English msgid ``language`` translates (placeholders
    cut out), that no translation contains."""
    with (FOLDER / language / "LC_MESSAGES" / "contractor.po").open("rb") as handle:
        catalog = read_po(handle, locale=language)
    pairs = [(m.id, m.string) for m in catalog if m.id and not m.pluralizable and m.string and m.id != m.string]
    translations = "\n".join(string for _, string in pairs)
    pieces = {piece.strip() for msgid, _ in pairs for piece in _SPLIT.split(msgid)}
    return tuple(piece for piece in pieces if len(piece.split()) >= 3 and piece not in translations)


def in_language(language: str, msgid: str, **values) -> str:
    with force_locale(language):
        return gettext(msgid, **values)


def assert_in_language(message, language: str, subject: str) -> None:
    assert message.subject == subject
    english = [piece for piece in english_sentences(language) if piece in message.body_text]
    assert english == [], f"{message.kind} in {language} still has English: {english[:3]}"


@pytest.fixture(params=LANGUAGES)
def speaker(request):
    incident = make_incident()
    person = make_person(email=f"amina-{request.param}@example.org", language=request.param, first_name="Amina")
    expose(person, incident, "contact", "email and phone")
    return request.param, person, incident


def test_the_sentence_check_can_fail():
    assert "Keep this reference. You will need it if you contact us about your claim." in english_sentences("es")


def test_lost_code_mail(speaker):
    language, person, _incident = speaker
    reissue_notice_code(person.email)
    [mail] = outbox(MailKind.NOTICE_CODE_REISSUE)
    assert_in_language(mail, language, in_language(language, "Your new notice code for the Exposure Portal"))


def test_claim_received_and_request_for_information_mails(speaker):
    language, person, incident = speaker
    claim = SimpleNamespace(
        reference="CLM-7Q4M", info_request="A photo of the receipt", cure_deadline=date(2027, 4, 30)
    )
    send_claim_submitted(claim, person, incident)
    send_info_request(claim, person, incident)
    [received] = outbox(MailKind.CLAIM_SUBMITTED)
    [needs_info] = outbox(MailKind.CLAIM_NEEDS_INFO)
    assert_in_language(
        received, language, in_language(language, "We received your claim %(reference)s", reference="CLM-7Q4M")
    )
    subject = in_language(language, "We need more information about your claim %(reference)s", reference="CLM-7Q4M")
    assert_in_language(needs_info, language, subject)
    # The answer-by date in the reader's locale (30 de abril de 2027, 30 avril 2027, …), never ISO.
    assert format_date(date(2027, 4, 30), "long", locale=language) in needs_info.body_text
    assert "2027-04-30" not in needs_info.body_text


def test_monitoring_code_mail(speaker):
    language, person, incident = speaker
    incident.enrollment_deadline = date(2099, 12, 31)
    db.session.commit()
    product = make_product(incident)
    add_codes(product, "KR-7Q4M-2XD9")
    enroll(person, product, "127.0.0.1")
    [mail] = outbox(MailKind.MONITORING_CODE)
    assert_in_language(
        mail, language, in_language(language, "Your activation code for %(product)s", product=product.name)
    )
    assert "KR-7Q4M-2XD9" in mail.body_text


def test_new_exposure_alert_mail(speaker, tmp_path):
    language, person, incident = speaker
    subscribe(person, incident)
    import_register(incident, None, exposures_file(tmp_path, [(person.contractor_id, "payment", "bank")]))
    [mail] = outbox(MailKind.NEW_EXPOSURES)
    subject = in_language(language, "New information about you in %(incident)s", incident=incident.title)
    assert_in_language(mail, language, subject)
    assert in_language(language, "Bank and payout details") in mail.body_text


def test_a_mail_asked_for_from_an_english_page_is_still_in_the_persons_language(app, speaker):
    """The lost-code form is filled in on an English page; the mail follows the register, not the page."""
    language, person, _incident = speaker
    email = person.email
    with app.test_client() as client:
        client.get("/lost-code", headers={"Accept-Language": "en"})
        client.post("/lost-code", data={"email": email}, headers={"Accept-Language": "en"})
    [mail] = outbox(MailKind.NOTICE_CODE_REISSUE)
    assert_in_language(mail, language, in_language(language, "Your new notice code for the Exposure Portal"))

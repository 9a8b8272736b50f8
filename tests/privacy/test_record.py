"""The record PDF and the access copy: the signed-in person's data, in their language, nobody else's."""

import io
import json

from pypdf import PdfReader
from sqlalchemy import select

from portal.constants import AuditAction
from portal.extensions import db
from portal.models import AuditEvent
from tests.factories import make_incident
from tests.privacy.support import make_someone, sign_in_as


def pdf_text(body: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)


def two_people():
    incident = make_incident(title="Vendor breach, June")
    return incident, make_someone(incident, "AAA1"), make_someone(incident, "BBB2")


def test_the_pdf_shows_the_persons_record_and_nobody_elses(client, app_ctx):
    _, amina, other = two_people()
    sign_in_as(client, amina)
    response = client.get("/my/record.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Cache-Control"] == "no-store"
    text = pdf_text(response.data)
    for expected in (
        amina.first_name,
        amina.last_name,
        "Vendor breach, June",
        "bank account of ZawadiAAA1 ending A1",
        "June 1, 2025",  # when it was exposed
        "by email",  # the notice's channel
        "Shield AAA1",  # the enrollment
        amina.claim.reference,
        "Paid",
        "$123.45",
        "Tell your bank",  # a step taken, in words
        "Reference: REC-",
    ):
        assert expected in text.replace("\n", " "), expected
    for foreign in (other.first_name, other.last_name, other.claim.reference, "Shield BBB2"):
        assert foreign not in text


def test_the_json_holds_every_row_of_the_person_and_nobody_elses(client, app_ctx):
    _, amina, other = two_people()
    sign_in_as(client, amina)
    response = client.get("/my/record.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    held = response.get_json()
    assert held["person"]["email"] == amina.email and held["person"]["phone"] == amina.phone
    assert held["person"]["date_of_birth"] == amina.birth_date
    assert held["person"]["address"]["line1"] == amina.address_line
    assert {row["category"] for row in held["exposure"]} == {"payment", "national_id"}
    assert [c["reference"] for c in held["claim"]] == [amina.claim.reference]
    assert held["claim"][0]["payment_details_masked"] == "•••• 5678"
    for table in ("notification", "step_completion", "monitoring_enrollment", "subscription", "exclusion_request"):
        assert len(held[table]) == 1, table
    assert len(held["claim_document"]) == 1 and len(held["outbox_message"]) == 1
    raw = response.get_data(as_text=True)
    for foreign in (other.first_name, other.email, other.claim.reference, other.phone):
        assert foreign not in raw
    assert "12345678" not in raw and "code_hash" not in raw  # secrets and hashes are not copied out


def test_each_download_is_audited_without_personal_data(client, app_ctx):
    _, amina, _ = two_people()
    sign_in_as(client, amina)
    client.get("/my/record.pdf")
    client.get("/my/record.json")
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == AuditAction.RECORD_DOWNLOADED)).all()
    assert [json.loads(e.details)["format"] for e in events] == ["pdf", "json"]
    assert all(e.target == f"person:{amina.person.uid}" for e in events)
    assert all(amina.first_name not in e.details and amina.email not in e.details for e in events)


def test_the_links_carry_no_personal_data_and_need_a_verified_session(client, app_ctx):
    _, amina, _ = two_people()
    for path in ("/my/record.pdf", "/my/record.json"):
        response = client.get(path)
        assert response.status_code == 302 and response.location.endswith("/check")
    sign_in_as(client, amina)
    page = client.get("/my").get_data(as_text=True)
    assert 'href="/my/record.pdf"' in page and 'href="/my/record.json"' in page
    # No way to name someone else: a query string naming the other person changes nothing.
    other_pdf = client.get("/my/record.pdf?person=2&uid=x")
    assert amina.first_name in pdf_text(other_pdf.data)


def test_the_pdf_is_in_the_persons_language_and_prints_their_script(client, app, app_ctx, monkeypatch):
    incident = make_incident()
    amina = make_someone(incident, "CCC3", language="fr")
    amina.person.first_name = "Жанна-Zoë"
    db.session.commit()
    monkeypatch.setitem(app.extensions, "portal_languages", ["en", "fr"])
    sign_in_as(client, amina)
    text = " ".join(pdf_text(client.get("/my/record.pdf").data).split())  # a line may wrap anywhere
    assert "1 juin 2025" in text  # the date, in French
    assert "Relevé" in text  # the text too, now that a French catalog exists
    assert "Жанна-Zoë" in text  # Cyrillic and accents embedded, not '?'

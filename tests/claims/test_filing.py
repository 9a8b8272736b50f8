"""Filing a claim step by step: each benefit's rules and messages, payment details, attestation, submit."""

import re
import time
from datetime import date, timedelta

from portal.claims.payment import open_details
from portal.constants import ClaimStatus, MailKind
from portal.crypto import DecryptionError
from portal.extensions import db
from portal.models import ClaimBenefit, ClaimSettings, OutboxMessage
from portal.verify.session import SINCE_KEY
from tests.claims.support import BANK, claim_of, file_claim, make_claimant, pdf_bytes, start, upload
from tests.factories import date_fields


def page_text(response) -> str:
    return response.get_data(as_text=True)


def post_benefits(client, claim_id, *kinds):
    return client.post(f"/my/claims/{claim_id}/benefits", data={"benefits": list(kinds)})


def add_loss(client, claim_id, amount="100", incurred_on="2026-06-01", description="Passport fee", data=None):
    files = {"proof": upload(data)} if data is not None else {}
    return client.post(
        f"/my/claims/{claim_id}/losses/add",
        content_type="multipart/form-data",
        data={"amount": amount, **date_fields("incurred_on", incurred_on), "description": description, **files},
    )


def test_start_page_lists_what_can_be_claimed_with_this_incidents_numbers(signed_in, claimant):
    text = page_text(signed_in.get(f"/my/claims/start/{claimant.incident.id}"))
    assert "File a claim" in text
    assert "Up to $5,000.00 in total" in text
    assert "$25.00 an hour" in text and "Up to 4 hours without documents" in text
    assert "A fixed payment of $100.00" in text


def test_settings_are_created_with_defaults_when_an_incident_has_none(signed_in, claimant):
    assert db.session.get(ClaimSettings, claimant.incident.id) is None
    signed_in.get(f"/my/claims/start/{claimant.incident.id}")
    settings = db.session.get(ClaimSettings, claimant.incident.id)
    assert settings.out_of_pocket_cap_cents == 500_000 and settings.payment_methods == "bank_transfer,paypal,check"


def test_the_draft_is_created_only_by_the_start_button_and_every_step_saves_it(signed_in, claimant):
    signed_in.get(f"/my/claims/start/{claimant.incident.id}")
    assert claim_of(claimant) is None
    claim_id = start(signed_in, claimant)
    assert claim_of(claimant).status == ClaimStatus.DRAFT
    assert post_benefits(signed_in, claim_id, "out_of_pocket").status_code == 302
    assert '"benefits": ["out_of_pocket"]' in claim_of(claimant).draft


def test_choosing_nothing_asks_to_select_something(signed_in, claimant):
    claim_id = start(signed_in, claimant)
    response = post_benefits(signed_in, claim_id)
    assert response.status_code == 400
    assert "Select what you want to claim" in page_text(response)
    assert 'href="#benefits"' in page_text(response) and 'id="benefits"' in page_text(response)


def test_the_fixed_cash_payment_cannot_be_combined_with_documented_losses(signed_in, claimant):
    claim_id = start(signed_in, claimant)
    response = post_benefits(signed_in, claim_id, "alternative_cash", "out_of_pocket")
    assert response.status_code == 400
    assert "The fixed cash payment cannot be combined with other benefits" in page_text(response)


def test_monitoring_instead_of_cash_cannot_be_combined_with_cash(signed_in, claimant):
    claim_id = start(signed_in, claimant)
    response = post_benefits(signed_in, claim_id, "monitoring", "lost_time")
    assert response.status_code == 400
    assert "Monitoring instead of cash cannot be combined with a cash payment" in page_text(response)


def test_a_benefit_the_incident_does_not_offer_is_ignored(signed_in, claimant):
    claim_id = start(signed_in, claimant)
    db.session.get(ClaimSettings, claimant.incident.id).alternative_cash_enabled = False
    db.session.commit()
    response = post_benefits(signed_in, claim_id, "alternative_cash")
    assert response.status_code == 400 and "Select what you want to claim" in page_text(response)


class TestOutOfPocketLosses:
    def test_each_loss_needs_proof(self, signed_in, claimant):
        claim_id = start(signed_in, claimant)
        post_benefits(signed_in, claim_id, "out_of_pocket")
        response = add_loss(signed_in, claim_id)
        assert response.status_code == 400
        assert "Upload proof of this loss, such as a receipt or a bank statement" in page_text(response)

    def test_amount_must_be_a_number_above_zero(self, signed_in, claimant):
        claim_id = start(signed_in, claimant)
        post_benefits(signed_in, claim_id, "out_of_pocket")
        assert "Enter the amount as a number, like 125.50" in page_text(add_loss(signed_in, claim_id, amount="lots"))
        assert "Enter an amount more than 0" in page_text(add_loss(signed_in, claim_id, amount="0", data=pdf_bytes()))
        assert "Enter the amount you lost" in page_text(add_loss(signed_in, claim_id, amount=""))

    def test_amounts_are_read_as_people_write_them(self, signed_in, claimant):
        claim_id = start(signed_in, claimant)
        post_benefits(signed_in, claim_id, "out_of_pocket")
        assert add_loss(signed_in, claim_id, amount="1.250,50", data=pdf_bytes()).status_code == 302
        assert '"amount_cents": 125050' in claim_of(claimant).draft

    def test_the_date_cannot_be_in_the_future_or_before_the_breach(self, signed_in, claimant):
        claim_id = start(signed_in, claimant)
        post_benefits(signed_in, claim_id, "out_of_pocket")
        tomorrow = (date.today() + timedelta(days=2)).isoformat()
        response = add_loss(signed_in, claim_id, incurred_on=tomorrow, data=pdf_bytes())
        assert "The date of the loss must be today or in the past" in page_text(response)
        response = add_loss(signed_in, claim_id, incurred_on="2026-04-30", data=pdf_bytes())
        assert "The date of the loss must be on or after May 1, 2026, when the breach happened" in page_text(response)

    def test_the_total_of_all_losses_is_capped_and_the_message_says_how_much_is_left(self, signed_in, claimant):
        claim_id = start(signed_in, claimant)
        post_benefits(signed_in, claim_id, "out_of_pocket")
        assert add_loss(signed_in, claim_id, amount="4900", data=pdf_bytes()).status_code == 302
        response = add_loss(signed_in, claim_id, amount="150", data=pdf_bytes(b"% second"))
        assert response.status_code == 400
        assert "Your losses can add up to $5,000.00 in total. You can claim up to $100.00 more" in page_text(response)
        assert add_loss(signed_in, claim_id, amount="100", data=pdf_bytes(b"% third")).status_code == 302
        text = page_text(signed_in.get(f"/my/claims/{claim_id}/losses"))
        assert "Total: $5,000.00 of up to $5,000.00" in text and "Add another loss" not in text

    def test_several_losses_become_benefit_rows_with_their_proof(self, signed_in, claimant):
        claim = file_claim(
            signed_in,
            claimant,
            benefits=("out_of_pocket",),
            losses=[
                ("20", "2026-06-01", "Courier for new ID", pdf_bytes(b"% a")),
                ("35.5", "2026-06-03", "Bank card replacement", pdf_bytes(b"% b")),
            ],
        )
        rows = sorted(claim.benefits, key=lambda b: b.amount_cents)
        assert [(b.kind, b.amount_cents) for b in rows] == [("out_of_pocket", 2000), ("out_of_pocket", 3550)]
        from portal.dao.claims import dao_get_claim_documents

        assert {d.benefit_id for d in dao_get_claim_documents(claim.id)} == {b.id for b in rows}

    def test_removing_a_loss_removes_its_proof(self, signed_in, claimant):
        claim_id = start(signed_in, claimant)
        post_benefits(signed_in, claim_id, "out_of_pocket")
        add_loss(signed_in, claim_id, data=pdf_bytes())
        key = re.search(r'"key": "([0-9a-f]+)"', claim_of(claimant).draft).group(1)
        assert signed_in.post(f"/my/claims/{claim_id}/losses/{key}/remove").status_code == 302
        from portal.dao.claims import dao_get_claim_documents

        assert dao_get_claim_documents(claim_id) == []
        assert signed_in.get(f"/my/claims/{claim_id}/losses").location.endswith("/losses/add")


class TestLostTime:
    def _post(self, client, claim_id, hours, files=()):
        return client.post(
            f"/my/claims/{claim_id}/lost-time",
            content_type="multipart/form-data",
            data={"hours": hours, "description": "Calls", "documents": [upload(f) for f in files]},
        )

    def test_up_to_the_self_attested_hours_needs_no_documents(self, signed_in, claimant):
        claim_id = start(signed_in, claimant)
        post_benefits(signed_in, claim_id, "lost_time")
        assert self._post(signed_in, claim_id, "4").status_code == 302

    def test_more_than_the_self_attested_hours_needs_documents(self, signed_in, claimant):
        claim_id = start(signed_in, claimant)
        post_benefits(signed_in, claim_id, "lost_time")
        response = self._post(signed_in, claim_id, "4.5")
        assert response.status_code == 400
        assert "To claim more than 4 hours, upload documents that show the time you spent" in page_text(response)
        assert self._post(signed_in, claim_id, "4.5", [pdf_bytes()]).status_code == 302

    def test_never_more_than_the_maximum_hours(self, signed_in, claimant):
        claim_id = start(signed_in, claimant)
        post_benefits(signed_in, claim_id, "lost_time")
        response = self._post(signed_in, claim_id, "21", [pdf_bytes()])
        assert "You can claim up to 20 hours" in page_text(response)

    def test_hours_must_be_a_positive_number(self, signed_in, claimant):
        claim_id = start(signed_in, claimant)
        post_benefits(signed_in, claim_id, "lost_time")
        assert "Enter the hours as a number, like 3 or 2.5" in page_text(self._post(signed_in, claim_id, "three"))
        assert "Enter the number of hours, more than 0" in page_text(self._post(signed_in, claim_id, "0"))

    def test_hours_are_paid_at_the_configured_rate(self, signed_in, claimant):
        claim = file_claim(signed_in, claimant, benefits=("lost_time",), hours="2,5")
        (benefit,) = claim.benefits
        assert benefit.kind == "lost_time" and float(benefit.hours) == 2.5 and benefit.amount_cents == 6250

    def test_removing_the_only_document_brings_the_cap_back_at_the_end(self, signed_in, claimant):
        claim_id = start(signed_in, claimant)
        post_benefits(signed_in, claim_id, "lost_time")
        self._post(signed_in, claim_id, "10", [pdf_bytes()])
        from portal.dao.claims import dao_get_claim_documents

        (document,) = dao_get_claim_documents(claim_id)
        signed_in.post(f"/my/claims/{claim_id}/lost-time/documents/{document.id}/remove")
        signed_in.post(f"/my/claims/{claim_id}/payment", data={"method": "paypal"})
        signed_in.post(f"/my/claims/{claim_id}/payment-details", data={"paypal_email": "amina@example.org"})
        response = signed_in.post(f"/my/claims/{claim_id}/check", data={"full_name": "Amina", "confirm": "y"})
        assert response.status_code == 400
        assert "To claim more than 4 hours" in page_text(response)
        assert claim_of(claimant).status == ClaimStatus.DRAFT


def test_alternative_cash_is_the_configured_fixed_amount(signed_in, claimant):
    claim = file_claim(signed_in, claimant, benefits=("alternative_cash",))
    assert [(b.kind, b.amount_cents) for b in claim.benefits] == [("alternative_cash", 10_000)]


def test_monitoring_instead_of_cash_asks_for_no_payment_details(signed_in, claimant):
    claim_id = start(signed_in, claimant)
    response = post_benefits(signed_in, claim_id, "monitoring")
    assert response.location.endswith(f"/my/claims/{claim_id}/check")
    assert signed_in.post(response.location, data={"full_name": "Amina Okafor", "confirm": "y"}).status_code == 302
    claim = claim_of(claimant)
    assert claim.status == ClaimStatus.SUBMITTED and claim.payment_method == "" and claim.payment_details_enc is None


class TestPayment:
    def test_a_method_must_be_chosen_from_the_configured_list(self, signed_in, claimant):
        claim_id = start(signed_in, claimant)
        post_benefits(signed_in, claim_id, "alternative_cash")
        response = signed_in.post(f"/my/claims/{claim_id}/payment", data={})
        assert response.status_code == 400 and "Select how you want to be paid" in page_text(response)
        response = signed_in.post(f"/my/claims/{claim_id}/payment", data={"method": "mobile_money"})
        assert response.status_code == 400  # not in this incident's list
        assert "Mobile money" not in page_text(signed_in.get(f"/my/claims/{claim_id}/payment"))

    def test_bank_details_are_checked(self, signed_in, claimant):
        claim_id = start(signed_in, claimant)
        post_benefits(signed_in, claim_id, "alternative_cash")
        signed_in.post(f"/my/claims/{claim_id}/payment", data={"method": "bank_transfer"})
        bad = {**BANK, "account_number": "DE88 3704 0044 0532 0130 00", "swift_bic": "123"}
        text = page_text(signed_in.post(f"/my/claims/{claim_id}/payment-details", data=bad))
        assert "Enter a valid IBAN" in text and "Enter a SWIFT or BIC code of 8 or 11 letters" in text
        text = page_text(signed_in.post(f"/my/claims/{claim_id}/payment-details", data={}))
        assert "Enter the name of the account holder" in text and "Enter the IBAN or account number" in text

    def test_paypal_needs_an_email_address(self, signed_in, claimant):
        claim_id = start(signed_in, claimant)
        post_benefits(signed_in, claim_id, "alternative_cash")
        signed_in.post(f"/my/claims/{claim_id}/payment", data={"method": "paypal"})
        response = signed_in.post(f"/my/claims/{claim_id}/payment-details", data={"paypal_email": "not-an-email"})
        assert "Enter an email address like name@example.com" in page_text(response)

    def test_a_check_needs_no_details_and_uses_the_address_on_file(self, signed_in, claimant):
        claim = file_claim(signed_in, claimant, method="check")
        assert claim.payment_method == "check" and claim.payment_details_enc is None

    def test_details_are_encrypted_bound_to_the_claim_and_shown_masked(self, signed_in, claimant, app):
        claim = file_claim(signed_in, claimant, submit=False)
        assert "3704" not in claim.payment_details_enc and "0532" not in claim.payment_details_enc
        assert open_details(claim.id, claim.payment_details_enc)["account_number"] == BANK["account_number"]
        try:
            open_details(claim.id + 1, claim.payment_details_enc)
            raise AssertionError("a ciphertext moved to another claim must not decrypt")
        except DecryptionError:
            pass
        assert len(claim.payout_account_hash) == 64
        text = page_text(signed_in.get(f"/my/claims/{claim.id}/check"))
        assert "•••• 3000" in text and "DE89" not in text and "0532" not in text
        details_page = page_text(signed_in.get(f"/my/claims/{claim.id}/payment-details"))
        assert "•••• 3000" in details_page and "0532" not in details_page  # never sent back pre-filled

    def test_changing_the_method_forgets_the_old_details(self, signed_in, claimant):
        claim = file_claim(signed_in, claimant, submit=False)
        signed_in.post(f"/my/claims/{claim.id}/payment", data={"method": "paypal"})
        claim = claim_of(claimant)
        assert claim.payment_details_enc is None and claim.payout_account_hash is None


class TestSubmitting:
    def test_the_declaration_needs_a_typed_name_and_the_checkbox(self, signed_in, claimant):
        claim = file_claim(signed_in, claimant, submit=False)
        response = signed_in.post(f"/my/claims/{claim.id}/check", data={})
        text = page_text(response)
        assert response.status_code == 400
        assert "Enter your full name" in text and "Confirm that the information you have given is true" in text
        assert claim_of(claimant).status == ClaimStatus.DRAFT

    def test_submitting_stores_the_attestation_and_gives_a_reference(self, signed_in, claimant):
        claim = file_claim(signed_in, claimant)
        assert claim.status == ClaimStatus.SUBMITTED
        assert re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{5}", claim.reference)
        assert claim.attestation_name == "Amina Okafor" and claim.attested_at is not None
        assert claim.attestation_ip == "127.0.0.1" and claim.submitted_at is not None
        text = page_text(signed_in.get(f"/my/claims/{claim.id}/sent"))
        assert "Claim sent" in text and claim.reference in text

    def test_the_confirmation_email_has_the_reference_and_no_payment_details(self, signed_in, claimant):
        claim = file_claim(signed_in, claimant)
        (mail,) = OutboxMessage.query.filter_by(kind=MailKind.CLAIM_SUBMITTED).all()
        assert mail.to_address == claimant.person.email
        assert claim.reference in mail.subject and claim.reference in mail.body_text
        for secret in ("DE89", "3000", "3704", "Commerzbank", "$", "100"):
            assert secret not in mail.body_text, secret

    def test_a_register_language_with_a_region_still_gets_the_confirmation(self, client, app_ctx):
        brazilian = make_claimant(last_name="Souza", language="pt-BR", country="BR")
        brazilian.sign_in(client)
        claim = file_claim(client, brazilian, name="Ana Souza")
        (mail,) = OutboxMessage.query.filter_by(kind=MailKind.CLAIM_SUBMITTED).all()
        assert claim.reference in mail.subject and mail.to_address == brazilian.person.email

    def test_unchecked_benefits_leave_no_rows_and_no_files(self, signed_in, claimant):
        claim_id = start(signed_in, claimant)
        post_benefits(signed_in, claim_id, "out_of_pocket")
        add_loss(signed_in, claim_id, data=pdf_bytes())
        post_benefits(signed_in, claim_id, "alternative_cash")
        signed_in.post(f"/my/claims/{claim_id}/payment", data={"method": "check"})
        signed_in.post(f"/my/claims/{claim_id}/check", data={"full_name": "Amina", "confirm": "y"})
        from portal.dao.claims import dao_get_claim_documents

        assert dao_get_claim_documents(claim_id) == []
        assert [b.kind for b in db.session.query(ClaimBenefit).filter_by(claim_id=claim_id)] == ["alternative_cash"]

    def test_a_sent_claim_cannot_be_changed_through_the_steps(self, signed_in, claimant):
        claim = file_claim(signed_in, claimant)
        response = signed_in.post(f"/my/claims/{claim.id}/benefits", data={"benefits": ["monitoring"]})
        assert response.status_code == 302 and response.location.endswith(f"/my/claims/{claim.id}")
        assert [b.kind for b in claim_of(claimant).benefits] == ["alternative_cash"]


class TestOneClaimPerIncident:
    def test_starting_again_continues_the_draft(self, signed_in, claimant):
        first = start(signed_in, claimant)
        assert start(signed_in, claimant) == first

    def test_a_second_attempt_after_sending_shows_the_first_claim(self, signed_in, claimant):
        claim = file_claim(signed_in, claimant)
        response = signed_in.get(f"/my/claims/start/{claimant.incident.id}")
        assert response.status_code == 302 and f"/my/claims/{claim.id}" in response.location
        text = page_text(signed_in.get(response.location))
        assert "You have already filed a claim for this incident" in text and claim.reference in text
        assert signed_in.post(f"/my/claims/start/{claimant.incident.id}").status_code == 302
        from portal.models import Claim

        assert Claim.query.filter_by(person_id=claimant.person.id).count() == 1


class TestDeadline:
    def test_no_claim_can_be_started_after_the_deadline(self, signed_in, claimant):
        claimant.incident.claim_deadline = date.today() - timedelta(days=1)
        db.session.commit()
        response = signed_in.get(f"/my/claims/start/{claimant.incident.id}")
        assert response.status_code == 403
        assert "The deadline for claims has passed" in page_text(response)
        assert signed_in.post(f"/my/claims/start/{claimant.incident.id}").status_code == 403
        assert claim_of(claimant) is None

    def test_the_deadline_day_itself_is_still_open(self, signed_in, claimant):
        claimant.incident.claim_deadline = date.today()
        db.session.commit()
        assert file_claim(signed_in, claimant).status == ClaimStatus.SUBMITTED

    def test_a_draft_cannot_be_sent_after_the_deadline(self, signed_in, claimant):
        claim = file_claim(signed_in, claimant, submit=False)
        claimant.incident.claim_deadline = date.today() - timedelta(days=1)
        db.session.commit()
        response = signed_in.post(f"/my/claims/{claim.id}/check", data={"full_name": "Amina", "confirm": "y"})
        assert response.status_code == 403 and "The deadline for claims has passed" in page_text(response)
        assert claim_of(claimant).status == ClaimStatus.DRAFT


def test_only_people_in_the_incident_can_claim(app, signed_in, claimant):
    from tests.claims.support import make_claim_incident

    other_incident = make_claim_incident()
    response = signed_in.get(f"/my/claims/start/{other_incident.id}")
    assert response.status_code == 403 and "You cannot file a claim for this incident" in page_text(response)


def test_the_draft_survives_the_session_timeout_and_resumes_after_checking_in_again(app, signed_in, claimant):
    claim_id = start(signed_in, claimant)
    post_benefits(signed_in, claim_id, "out_of_pocket")
    add_loss(signed_in, claim_id, amount="42", data=pdf_bytes())
    with signed_in.session_transaction() as session:
        session[SINCE_KEY] = int(time.time()) - 31 * 60
    response = signed_in.get(f"/my/claims/{claim_id}/losses")
    assert response.status_code == 302 and response.location.endswith("/check")

    claimant.sign_in(signed_in)
    response = signed_in.get(f"/my/claims/{claim_id}/continue")
    assert response.location.endswith(f"/my/claims/{claim_id}/payment")  # the first question not yet answered
    assert "$42.00" in page_text(signed_in.get(f"/my/claims/{claim_id}/losses"))


def test_every_filing_page_renders(signed_in, claimant):
    claim = file_claim(
        signed_in,
        claimant,
        benefits=("out_of_pocket", "lost_time"),
        losses=[("10", "2026-06-01", "Fee", pdf_bytes())],
        hours="5",
        lost_time_files=[pdf_bytes(b"%x")],
        submit=False,
    )
    for step in ("benefits", "losses", "losses/add", "lost-time", "payment", "payment-details", "check"):
        assert signed_in.get(f"/my/claims/{claim.id}/{step}").status_code == 200, step


def test_the_exposure_page_links_say_file_a_claim_and_claim_status(app, signed_in, claimant):
    from flask import render_template

    def actions() -> str:
        with app.test_request_context():
            return render_template("claims/_exposure_actions.html", person=claimant.person, incident=claimant.incident)

    html = actions()
    assert html.strip().startswith("<li>") and html.strip().endswith("</li>")
    assert f'href="/my/claims/start/{claimant.incident.id}">File a claim</a>' in html
    assert 'href="/my/claims/">Claim status</a>' in html
    start(signed_in, claimant)
    assert "You have started a claim" in actions()
    claim = file_claim(signed_in, claimant)
    html = actions()
    assert f'href="/my/claims/{claim.id}">File a claim</a>' in html  # a second attempt shows the first claim
    assert f'href="/my/claims/{claim.id}">Claim status</a>' in html and claim.reference in html

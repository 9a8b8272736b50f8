"""Fraud and duplicate signals on crafted data: each kind, on both claims of a pair, never deciding anything."""

import pytest

from portal.claims.fraud import fold_address
from portal.constants import ClaimStatus, FraudSignalKind
from portal.core.text import fold
from portal.dao.claims import dao_get_fraud_signals
from portal.extensions import db
from portal.models import Claim
from tests.claims.support import BANK, file_claim, make_claimant, pdf_bytes


def file_for(app, claimant, ip="127.0.0.1", **kwargs) -> Claim:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = ip
    claimant.sign_in(client)
    return file_claim(client, claimant, **kwargs)


def kinds(claim) -> set[str]:
    db.session.expire_all()
    return {signal.kind for signal in dao_get_fraud_signals(claim.id)}


def signal(claim, kind):
    return next(s for s in dao_get_fraud_signals(claim.id) if s.kind == kind)


def test_the_same_payout_account_on_two_peoples_claims_flags_both(app, incident):
    first = file_for(app, make_claimant(incident, last_name="Okafor"), ip="10.0.0.1")
    spaced = {**BANK, "account_number": "de89370400440532013000"}  # same account, typed differently
    second = file_for(
        app,
        make_claimant(
            incident, last_name="Mwangi", date_of_birth="1980-01-01", address={"line1": "9 Other Rd", "city": "Mombasa"}
        ),
        ip="10.0.0.2",
        details=spaced,
    )
    assert kinds(first) == kinds(second) == {FraudSignalKind.SHARED_PAYOUT_ACCOUNT}
    assert second.reference in signal(first, FraudSignalKind.SHARED_PAYOUT_ACCOUNT).detail
    assert first.reference in signal(second, FraudSignalKind.SHARED_PAYOUT_ACCOUNT).detail


def test_the_same_paypal_account_is_matched_ignoring_case(app, incident):
    paypal = {"paypal_email": "Shared@Example.org"}
    first = file_for(app, make_claimant(incident), method="paypal", details=paypal)
    second = file_for(
        app,
        make_claimant(
            incident, last_name="Mwangi", date_of_birth="1980-01-01", address={"line1": "9 Other Rd", "city": "Mombasa"}
        ),
        method="paypal",
        details={"paypal_email": "shared@example.ORG "},
    )
    assert FraudSignalKind.SHARED_PAYOUT_ACCOUNT in kinds(first) & kinds(second)


def test_many_claims_from_one_ip_in_a_short_time(app, incident, monkeypatch):
    monkeypatch.setitem(app.config, "CLAIM_IP_THRESHOLD", 3)
    people = [
        make_claimant(
            incident,
            last_name=name,
            date_of_birth=f"198{i}-02-0{i + 1}",
            address={"line1": f"{i} {name} Street", "city": "Lagos"},
        )
        for i, name in enumerate(("Adeyemi", "Bello", "Chukwu"))
    ]
    claims = [file_for(app, person, ip="203.0.113.7", method="check") for person in people[:2]]
    assert all(not kinds(claim) for claim in claims)  # two is under the threshold
    claims.append(file_for(app, people[2], ip="203.0.113.7", method="check"))
    for claim in claims:
        assert kinds(claim) == {FraudSignalKind.MANY_CLAIMS_FROM_IP}
    assert (
        "3 claims were sent from the same IP address (203.0.113.7) within 60 minutes"
        in signal(claims[0], FraudSignalKind.MANY_CLAIMS_FROM_IP).detail
    )


def test_claims_from_one_ip_outside_the_window_do_not_count(app, incident, monkeypatch):
    from datetime import timedelta

    monkeypatch.setitem(app.config, "CLAIM_IP_THRESHOLD", 2)
    old = file_for(app, make_claimant(incident), ip="198.51.100.9", method="check")
    old.submitted_at = old.submitted_at - timedelta(minutes=61)
    db.session.commit()
    new = file_for(
        app,
        make_claimant(
            incident, last_name="Bello", date_of_birth="1970-01-01", address={"line1": "2 Elsewhere", "city": "Abuja"}
        ),
        ip="198.51.100.9",
        method="check",
    )
    assert not kinds(new) and not kinds(old)


def test_same_last_name_and_date_of_birth_across_different_people(app, incident):
    first = file_for(
        app,
        make_claimant(
            incident, last_name="Núñez", date_of_birth="1992-07-14", address={"line1": "1 A St", "city": "Lima"}
        ),
        ip="10.0.0.1",
        method="check",
    )
    second = file_for(
        app,
        make_claimant(
            incident, last_name="NUNEZ", date_of_birth="1992-07-14", address={"line1": "77 Z Ave", "city": "Cusco"}
        ),
        ip="10.0.0.2",
        method="check",
    )
    assert kinds(first) == kinds(second) == {FraudSignalKind.NEAR_DUPLICATE_IDENTITY}
    assert "Same last name and date of birth" in signal(second, FraudSignalKind.NEAR_DUPLICATE_IDENTITY).detail


def test_the_same_address_written_differently_across_different_people(app, incident):
    one = {"line1": "Rua São João, 12", "city": "Recife", "postal_code": "50000-000"}
    two = {"line1": "r. sao joao 12", "city": "RECIFE", "postal_code": "50000000"}
    first = file_for(
        app,
        make_claimant(incident, last_name="Santos", date_of_birth="1990-01-01", address=one),
        ip="10.0.0.1",
        method="check",
    )
    second = file_for(
        app,
        make_claimant(incident, last_name="Lima", date_of_birth="1991-02-02", address=two),
        ip="10.0.0.2",
        method="check",
    )
    assert FraudSignalKind.NEAR_DUPLICATE_IDENTITY in kinds(first) & kinds(second)
    assert "Same postal address" in signal(second, FraudSignalKind.NEAR_DUPLICATE_IDENTITY).detail


def test_a_proof_file_reused_across_claims(app, incident):
    proof = pdf_bytes(b"% the same receipt")
    first = file_for(
        app,
        make_claimant(incident),
        ip="10.0.0.1",
        method="check",
        benefits=("out_of_pocket",),
        losses=[("50", "2026-06-01", "Receipt", proof)],
    )
    second = file_for(
        app,
        make_claimant(
            incident,
            last_name="Otieno",
            date_of_birth="1979-09-09",
            address={"line1": "5 Kenyatta Ave", "city": "Kisumu"},
        ),
        ip="10.0.0.2",
        method="check",
        benefits=("out_of_pocket",),
        losses=[("50", "2026-06-01", "Receipt", proof)],
    )
    assert kinds(first) == kinds(second) == {FraudSignalKind.REUSED_PROOF_FILE}


def test_different_people_with_nothing_in_common_get_no_signal(app, incident):
    first = file_for(app, make_claimant(incident), ip="10.0.0.1", method="check")
    second = file_for(
        app,
        make_claimant(
            incident,
            last_name="Otieno",
            date_of_birth="1979-09-09",
            address={"line1": "5 Kenyatta Ave", "city": "Kisumu"},
        ),
        ip="10.0.0.2",
        method="check",
    )
    assert not kinds(first) and not kinds(second)


def test_signals_never_decide_a_claim(app, incident):
    first = file_for(app, make_claimant(incident), ip="10.0.0.1")
    second = file_for(app, make_claimant(incident, last_name="Okafor"), ip="10.0.0.2")  # same name, DOB, bank
    assert len(kinds(second)) == 2
    db.session.expire_all()
    assert db.session.get(Claim, first.id).status == db.session.get(Claim, second.id).status == ClaimStatus.SUBMITTED


def test_one_persons_own_claims_in_two_incidents_are_not_duplicates(app, app_ctx):
    from tests.claims.support import make_claim_incident
    from tests.factories import expose, give_notice_code

    claimant = make_claimant(make_claim_incident())
    first = file_for(app, claimant)
    second_incident = make_claim_incident()
    expose(claimant.person, second_incident, "payment")
    claimant.incident, claimant.code = second_incident, give_notice_code(claimant.person, second_incident)
    second = file_for(app, claimant)
    assert not kinds(first) and not kinds(second)


@pytest.mark.parametrize(("a", "b"), [("O'Brien-Núñez", "obriennunez"), ("Ørsted", "ørsted")])
def test_names_are_folded(a, b):
    assert fold(a) == fold(b)


def test_addresses_are_folded_with_street_words():
    one = fold_address({"line1": "12 Main Street, Apt 4", "city": "Nairobi", "postal_code": "00100"}, "KE")
    two = fold_address({"line1": "12 main st. apartment 4", "city": "NAIROBI", "postal_code": "00 100"}, "ke")
    assert one == two

"""Legal's queue: filters by status, incident and fraud signal; a reference finds one claim; who may see it."""

import pytest

from portal.claims.review import request_information
from portal.constants import Role
from portal.extensions import db
from portal.models import FraudSignal
from tests.claims.support import file_claim, make_claim_incident, make_claimant
from tests.factories import sign_in_staff


def file_for(app, claimant, ip):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = ip
    claimant.sign_in(client)
    return file_claim(client, claimant, method="check")


@pytest.fixture
def claims(app, app_ctx):
    first_incident, second_incident = make_claim_incident(title="Vendor breach"), make_claim_incident(title="Other")
    a = file_for(app, make_claimant(first_incident, last_name="Adeyemi", date_of_birth="1981-01-01"), "10.0.0.1")
    b = file_for(
        app,
        make_claimant(
            first_incident,
            last_name="Adeyemi",
            date_of_birth="1981-01-01",
            address={"line1": "9 Far Rd", "city": "Kano"},
        ),
        "10.0.0.2",
    )  # near-duplicate of a
    c = file_for(
        app,
        make_claimant(
            second_incident,
            last_name="Bello",
            date_of_birth="1972-03-03",
            address={"line1": "3 Near Rd", "city": "Jos"},
        ),
        "10.0.0.3",
    )
    return first_incident, second_incident, a, b, c


@pytest.fixture
def legal(app, app_ctx):
    client = app.test_client()
    sign_in_staff(client, Role.LEGAL)
    return client


def listed(client, **query) -> str:
    response = client.get("/staff/claims/", query_string=query)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_the_queue_shows_claims_waiting_for_review_with_their_signals(legal, claims):
    _, _, a, b, c = claims
    page = listed(legal)
    assert all(claim.reference in page for claim in (a, b, c))
    assert "Near-duplicate name or address" in page
    assert page.index(a.reference) < page.index(c.reference)  # oldest first


def test_filter_by_incident(legal, claims):
    _, second, a, _, c = claims
    page = listed(legal, incident=second.id)
    assert c.reference in page and a.reference not in page


def test_filter_by_fraud_signal(legal, claims):
    _, _, a, b, c = claims
    page = listed(legal, signal="near_duplicate_identity")
    assert a.reference in page and b.reference in page and c.reference not in page
    page = listed(legal, signal="none")
    assert c.reference in page and a.reference not in page
    page = listed(legal, signal="shared_payout_account")
    assert "No claims match this filter." in page


def test_filter_by_status(legal, claims):
    _, _, a, b, c = claims
    # a is a near-duplicate of b: approving it takes the confirmation's typed reason.
    legal.post(f"/staff/claims/{a.id}/approve", data={"reason": "Different people; checked their IDs."})
    assert a.reference not in listed(legal)  # approved: no longer waiting
    page = listed(legal, status="approved")
    assert a.reference in page and b.reference not in page
    assert all(claim.reference in listed(legal, status="all") for claim in (a, b, c))


def test_a_reference_typed_loosely_opens_the_claim(legal, claims):
    _, _, a, _, _ = claims
    response = legal.get("/staff/claims/", query_string={"reference": a.reference.replace("-", "").lower()})
    assert response.status_code == 302 and response.location.endswith(f"/staff/claims/{a.id}")
    assert "No claim has that reference" in listed(legal, reference="ZZZZZ-ZZZZZ")


def test_the_claim_page_shows_each_signal_with_its_reason_and_a_link_to_the_other_claim(legal, claims):
    _, _, a, b, _ = claims
    page = legal.get(f"/staff/claims/{b.id}").get_data(as_text=True)
    assert "Fraud and duplicate signals" in page and "Same last name and date of birth" in page
    assert f'href="/staff/claims/{a.id}"' in page


def test_drafts_never_reach_the_queue(app, legal, claims):
    first, _, _, _, _ = claims
    claimant = make_claimant(first, last_name="Draft", date_of_birth="1999-09-09")
    client = app.test_client()
    claimant.sign_in(client)
    draft = file_claim(client, claimant, submit=False)
    assert draft.reference not in listed(legal, status="all")
    assert legal.get(f"/staff/claims/{draft.id}").status_code == 404


@pytest.mark.parametrize(("role", "status"), [(Role.ADMIN, 200), (Role.SUPPORT, 403), (Role.AUDITOR, 403)])
def test_who_may_see_the_queue(app, app_ctx, claims, role, status):
    client = app.test_client()
    sign_in_staff(client, role)
    assert client.get("/staff/claims/").status_code == status
    assert client.get(f"/staff/claims/{claims[2].id}").status_code == status


def test_a_signal_row_is_one_per_claim_and_kind(claims):
    _, _, a, _, _ = claims
    assert FraudSignal.query.filter_by(claim_id=a.id).count() == 1
    db.session.remove()


def test_queue_badges_use_staff_words_not_the_claimants(legal, claims):
    _, _, a, _, _ = claims
    request_information(a.id, "Please send the receipt.")
    page = listed(legal, status="needs_info")
    assert "Waiting for the claimant to answer" in page
    assert "We need more information from you" not in page  # what the claimant reads about their claim
    assert "Received: waiting for review" not in listed(legal)

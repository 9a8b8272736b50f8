"""Every page a contractor can open, each in a state that shows it, for the tests that visit them all.

``build_tour`` writes the people and their situations (a draft claim, a sent one, one waiting for
an answer, a denied one, an exclusion, monitoring with a code and on a waiting list, no email) and
returns the visits: which page, as whom, after which form posts. The values are long on purpose
(a 35-letter last name, a long email, an IBAN, a 19-character activation code) so a layout that
only works with short words fails here. ``NOT_PAGES`` names the contractor URLs that are not pages.
"""

import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta

from portal.claims.review import deny_claim, request_information
from portal.exclusion.service import ExclusionAnswers, request_exclusion
from portal.exposure.checklist import save_checklist
from portal.extensions import db
from portal.models import ClaimDocument, Person
from portal.monitoring.service import enroll
from portal.updates.service import subscribe, unsubscribe_token
from tests.claims.support import Claimant, claim_of, file_claim, pdf_bytes
from tests.factories import expose, give_notice_code, make_incident, make_person
from tests.monitoring.helpers import add_codes, make_product

LONG_EMAIL = "maximiliane.wolfeschlegelsteinhausenbergerdorff@contractors-of-annotation.example"
LONG_LAST_NAME = "Wolfeschlegelsteinhausenbergerdorff"
# Proof files are attachments, not pages: they are checked by the claims tests.
NOT_PAGES = {"claims.own_document": "a proof file, served as an attachment"}


@dataclass(frozen=True)
class Visitor:
    code: str
    last_name: str
    date_of_birth: str


@dataclass(frozen=True)
class Visit:
    name: str
    endpoint: str
    path: str
    visitor: str | None  # a key of Tour.visitors; None: signed out
    # Form posts first, as a person would make them: (page, {field name: value}, button text).
    before: tuple[tuple[str, dict[str, str], str], ...] = ()
    status: int = 200


@dataclass
class Tour:
    visitors: dict[str, Visitor] = field(default_factory=dict)
    visits: list[Visit] = field(default_factory=list)
    not_pages: dict[str, str] = field(default_factory=dict)  # endpoint -> its URL in this tour

    def add(self, name, endpoint, path, visitor=None, before=(), status=200):
        self.visits.append(Visit(name, endpoint, path, visitor, tuple(before), status))


def _person(tour: Tour, key: str, incident, categories, **fields) -> Person:
    born = fields.pop("date_of_birth", "1988-08-21")
    last_name = fields.pop("last_name", "Okafor")
    person = make_person(f"C-{key}-{uuid.uuid4().hex[:6]}", last_name=last_name, date_of_birth=born, **fields)
    for category, detail in categories:
        expose(person, incident, category, detail, exposed_at=date(2026, 10, 3))
    tour.visitors[key] = Visitor(give_notice_code(person, incident), last_name, born)
    return person


def _claimant(tour: Tour, key: str, incident, person: Person) -> Claimant:
    visitor = tour.visitors[key]
    return Claimant(person, incident, visitor.code, visitor.last_name, visitor.date_of_birth)


def _signed_in(app, claimant: Claimant):
    client = app.test_client()
    claimant.sign_in(client)
    return client


def build_tour(app) -> Tour:
    """Call inside an app context, on empty tables."""
    tour = Tour()
    today = date.today()
    incident = make_incident(
        title="Breach of contractor records at our AI-training-data vendor",
        occurred_on=date(2026, 10, 2),
        discovered_on=date(2026, 10, 14),
        claim_deadline=today + timedelta(days=120),
        enrollment_deadline=today + timedelta(days=90),
        contact_email="questions-about-the-breach@exposure-portal-help-desk.example",
        contact_phone="+1 800 555 0199",
        contact_hours="Monday to Friday, 08:00–20:00 UTC",
    )
    identity = make_product(
        incident,
        name="Identity, dark-web and social-media impersonation monitoring",
        provider="Example Identity Services International",
        url="https://enroll.example-identity-services-international.example/activate?campaign=breach",
    )
    add_codes(identity, "DEMO-Z8F1-50QE-S2Y3", "DEMO-7ART-M1AV-7MK8")
    credit = make_product(  # no codes: whoever enrolls waits
        incident,
        name="Three-bureau credit monitoring",
        provider="Example Credit Bureau",
        countries="US",
        requires_us_credit_file=True,
    )

    # Maximiliane: every card, steps half done, enrolled, subscribed, a claim in progress.
    maxi = _person(
        tour,
        "maxi",
        incident,
        [
            ("national_id", "Social Security number ending 0457 and ITIN ending 9910"),
            ("id_document", "3 passport scans and a verification selfie"),
            ("payment", "Payout account DE89370400440532013000 at Commerzbank, and PayPal " + LONG_EMAIL),
            ("contact", LONG_EMAIL + " and +1 617 555 0100"),
            ("credentials", "platform password hash and 2 API keys"),
            ("resume", "CV with education and employment history"),
        ],
        first_name="Maximiliane-Alexandra",
        last_name=LONG_LAST_NAME,
        email=LONG_EMAIL,
        country="US",
        region="US-MA",
    )
    save_checklist(maxi, incident.id, "resume", {"careful-with-job-offers"}, set())
    save_checklist(maxi, incident.id, "credentials", {"change-passwords"}, set())
    enroll(maxi, identity, consent_ip="127.0.0.1")
    enroll(maxi, credit, consent_ip="127.0.0.1")  # the credit pool is empty: the waiting list
    subscription = subscribe(maxi, incident)
    token = unsubscribe_token(subscription, maxi)
    maxi_claimant = _claimant(tour, "maxi", incident, maxi)
    file_claim(
        _signed_in(app, maxi_claimant),
        maxi_claimant,
        benefits=("out_of_pocket", "lost_time"),
        losses=[("1250.50", "2026-10-20", "Notarised replacement of my passport at the consulate", pdf_bytes())],
        hours="6.5",
        lost_time_files=[pdf_bytes()],
        submit=False,
    )
    draft = claim_of(maxi_claimant)

    # Filed: a sent claim; not enrolled, not subscribed.
    filed = _person(tour, "filed", incident, [("payment", "bank account ending 4410")], country="KE")
    filed_claimant = _claimant(tour, "filed", incident, filed)
    sent = file_claim(_signed_in(app, filed_claimant), filed_claimant, name="Amina Okafor")
    # Waiting for an answer, and denied.
    asked = _person(tour, "asked", incident, [("payment", "bank account ending 1200")], last_name="Eze")
    asked_claimant = _claimant(tour, "asked", incident, asked)
    asked_claim = file_claim(_signed_in(app, asked_claimant), asked_claimant, name="Ngozi Eze")
    request_information(asked_claim.id, "Please send a bank statement that shows account GB33BUKB20201555555555.")
    denied = _person(tour, "denied", incident, [("payment", "bank account ending 7730")], last_name="Schmidt")
    denied_claimant = _claimant(tour, "denied", incident, denied)
    denied_claim = file_claim(_signed_in(app, denied_claimant), denied_claimant, name="Jonas Schmidt")
    deny_claim(denied_claim.id, "We could not connect the payment to this breach.")
    # Excluded from the settlement; and someone with no email address.
    excluded = _person(tour, "excluded", incident, [("video", "2 recorded interviews")], last_name="Bello")
    request_exclusion(excluded, incident, ExclusionAnswers("I prefer to sue on my own.", "Aisha Bello"), "127.0.0.1")
    no_email = _person(tour, "no_email", incident, [("address", "home address")], last_name="Bautista")
    no_email.email, no_email.email_bidx = "", None
    db.session.commit()

    document = db.session.query(ClaimDocument).filter_by(claim_id=draft.id).first()
    _add_visits(tour, incident, identity, credit, draft, sent, asked_claim, denied_claim, token, document)
    return tour


def _add_visits(tour, incident, identity, credit, draft, sent, asked_claim, denied_claim, token, document):
    slug, claims, confirm = incident.slug, f"/my/claims/{draft.id}", f"/my/monitoring/product/{identity.id}"
    tour.add("incident", "public.incident_page", "/")
    tour.add("check", "verify.check", "/check")
    tour.add("lost code", "verify.lost_code", "/lost-code")
    tour.add("lost code sent", "verify.lost_code_sent", "/lost-code/sent")
    tour.add("unsubscribe", "updates.unsubscribe", f"/updates/unsubscribe/{token}")
    tour.add("unsubscribe, old link", "updates.unsubscribe", "/updates/unsubscribe/no-such-token", status=404)

    tour.add("my information", "exposure.my_exposure", "/my", "maxi")
    tour.add("contact details", "trust.contact_page", "/my/contact", "maxi")
    tour.add("monitoring", "monitoring.monitoring_products", f"/my/monitoring/{incident.id}", "maxi")
    tour.add("activation code", "monitoring.monitoring_code", f"/my/monitoring/product/{identity.id}/code", "maxi")
    tour.add("waiting list", "monitoring.monitoring_code", f"/my/monitoring/product/{credit.id}/code", "maxi")
    tour.add("updates, subscribed", "updates.updates_page", f"/my/updates/{incident.id}", "maxi")
    tour.add("file a claim (draft)", "claims.start", f"/my/claims/start/{incident.id}", "maxi")
    tour.add("continue the draft", "claims.continue_draft", f"{claims}/continue", "maxi")
    for endpoint, suffix in (
        ("claims.benefits", "/benefits"),
        ("claims.losses", "/losses"),
        ("claims.add_loss_page", "/losses/add"),
        ("claims.lost_time", "/lost-time"),
        ("claims.payment_method", "/payment"),
        ("claims.payment_details", "/payment-details"),
        ("claims.check_answers", "/check"),
    ):
        tour.add(f"claim step {suffix}", endpoint, claims + suffix, "maxi")
    tour.add("exclusion, which incident", "exclusion.choose_incident", "/my/exclusion", "maxi")
    tour.add("exclusion form", "exclusion.exclusion", f"/my/exclusion/{slug}", "maxi")
    fill = ((f"/my/exclusion/{slug}", {"typed_name": "Maximiliane-Alexandra " + LONG_LAST_NAME}, "Continue"),)
    tour.add("exclusion, check answers", "exclusion.check_answers", f"/my/exclusion/{slug}/check", "maxi", fill)

    tour.add("monitoring, not enrolled", "monitoring.monitoring_products", f"/my/monitoring/{incident.id}", "filed")
    tour.add("monitoring, check answers", "monitoring.monitoring_confirm", confirm, "filed")
    tour.add("updates, not subscribed", "updates.updates_page", f"/my/updates/{incident.id}", "filed")
    tour.add("claim status list", "claims.my_claims", "/my/claims/", "filed")
    tour.add("claim sent", "claims.claim_sent", f"/my/claims/{sent.id}/sent", "filed")
    tour.add("claim status", "claims.claim_status", f"/my/claims/{sent.id}", "filed")
    tour.add("withdraw the claim", "claims.withdraw", f"/my/claims/{sent.id}/withdraw", "filed")
    tour.add("exclusion, claim sent", "exclusion.exclusion", f"/my/exclusion/{slug}", "filed")
    tour.add("claim, information asked", "claims.claim_status", f"/my/claims/{asked_claim.id}", "asked")
    tour.add("answer the request", "claims.answer", f"/my/claims/{asked_claim.id}/answer", "asked")
    tour.add("claim, denied", "claims.claim_status", f"/my/claims/{denied_claim.id}", "denied")
    tour.add("appeal", "claims.appeal", f"/my/claims/{denied_claim.id}/appeal", "denied")
    tour.add("exclusion requested", "exclusion.exclusion", f"/my/exclusion/{slug}", "excluded")
    tour.add("monitoring, no email", "monitoring.monitoring_confirm", confirm, "no_email")
    tour.add("updates, no email", "updates.updates_page", f"/my/updates/{incident.id}", "no_email")
    tour.add("data requests", "privacy.my_requests", "/my/requests", "filed")
    tour.not_pages = {
        "claims.own_document": f"{claims}/documents/{document.id}",
        "privacy.record_pdf": "/my/record.pdf",  # downloads, not pages
        "privacy.record_json": "/my/record.json",
    }

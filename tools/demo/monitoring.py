"""Monitoring products and fictional activation codes for ``flask dev demo-data``.

Goes through the same code import as a provider's file and the same enrollment as a contractor, so
the demo shows a healthy pool (identity monitoring) and one whose few codes the first US
enrollments have taken (credit monitoring): the next person to enroll joins the waiting list, and
the staff page warns that the pool is empty.
"""

import secrets

from sqlalchemy import select

from portal.crypto.notice_codes import CROCKFORD
from portal.extensions import db
from portal.models import Exposure, Incident, Person
from portal.monitoring.codes import import_activation_codes
from portal.monitoring.products import create_product
from portal.monitoring.service import enroll, is_eligible

DEMO_PRODUCTS = (
    (
        {
            "name": "Identity and dark web monitoring",
            "provider": "Example Identity Services",
            "months": 24,
            "countries": "",
            "requires_us_credit_file": False,
            "enrollment_url": "https://example.org/enroll",
            "low_pool_threshold": 20,
            "active": True,
        },
        150,
    ),
    (
        {
            "name": "Three-bureau credit monitoring",
            "provider": "Example Credit Bureau",
            "months": 24,
            "countries": "US",
            "requires_us_credit_file": True,
            "enrollment_url": "https://example.com/activate",
            "low_pool_threshold": 10,
            "active": True,
        },
        5,
    ),
)


def _fictional_code() -> str:
    raw = "".join(secrets.choice(CROCKFORD) for _ in range(12))
    return f"DEMO-{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def add_demo_monitoring(incident: Incident, skip_contractor_ids: frozenset[str] = frozenset()) -> None:
    for values, count in DEMO_PRODUCTS:
        product = create_product(incident, values)
        codes = "\n".join(["code", *(_fictional_code() for _ in range(count))]) + "\n"
        import_activation_codes(product, codes.encode(), filename="demo-codes.csv")
        if product.requires_us_credit_file:
            _use_up_pool(incident, product, count, skip_contractor_ids)


def _use_up_pool(incident: Incident, product, count: int, skip_contractor_ids: frozenset[str]) -> None:
    """The first eligible people (never the printed personas) enroll and take the pool's codes."""
    people = db.session.scalars(
        select(Person)
        .where(Person.id.in_(select(Exposure.person_id).where(Exposure.incident_id == incident.id)))
        .where(Person.country == "US", Person.contractor_id.not_in(skip_contractor_ids))
        .order_by(Person.id)
    )
    enrolled = 0
    for person in people:
        if enrolled == count:
            break
        if is_eligible(person, product):
            enroll(person, product, consent_ip="127.0.0.1")
            enrolled += 1

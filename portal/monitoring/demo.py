"""Monitoring products and fictional activation codes for ``flask portal demo-data``.

Goes through the same code import as a provider's file, so the demo shows a pool, a low-pool
warning (the US product) and, once its few codes are gone, the waiting list.
"""

import secrets

from portal.crypto import CROCKFORD
from portal.models import Incident
from portal.monitoring.codes import import_activation_codes
from portal.monitoring.products import create_product

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


def add_demo_monitoring(incident: Incident) -> None:
    for values, count in DEMO_PRODUCTS:
        product = create_product(incident, values)
        codes = "\n".join(["code", *(_fictional_code() for _ in range(count))]) + "\n"
        import_activation_codes(product, codes.encode(), filename="demo-codes.csv")

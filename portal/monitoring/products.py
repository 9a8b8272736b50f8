"""The incident team's side: monitoring products per incident and how full each code pool is."""

from dataclasses import dataclass

import pycountry
from flask_babel import gettext as _

from portal.audit.chain import record_audit
from portal.constants import AuditAction
from portal.dao.incidents import dao_get_all_incidents
from portal.dao.monitoring import PoolCounts, dao_add_product, dao_get_all_products, dao_get_pool_counts
from portal.extensions import db
from portal.models import Incident, MonitoringProduct

PRODUCT_FIELDS = (
    "name",
    "provider",
    "months",
    "countries",
    "requires_us_credit_file",
    "enrollment_url",
    "low_pool_threshold",
    "active",
)


class ProductError(ValueError):
    """Field name → message, shown beside the field."""

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__("; ".join(problems.values()))
        self.problems = problems


def parse_countries(text: str) -> tuple[str, list[str]]:
    """("US,CA", []) from "us, ca"; the second item lists what is not an ISO 3166-1 alpha-2 code."""
    known = {country.alpha_2 for country in pycountry.countries}
    codes, unknown = [], []
    for part in (text or "").replace(";", ",").replace(" ", ",").split(","):
        code = part.strip().upper()
        if not code:
            continue
        if code not in known:
            unknown.append(part.strip())
        elif code not in codes:
            codes.append(code)
    return ",".join(codes), unknown


def _clean(values: dict) -> dict:
    countries, unknown = parse_countries(values.get("countries", ""))
    if unknown:
        raise ProductError({"countries": _("Not a two-letter country code: %(codes)s", codes=", ".join(unknown))})
    return {
        **{name: values[name] for name in PRODUCT_FIELDS if name in values},
        "countries": countries,
        "name": values["name"].strip(),
        "provider": values["provider"].strip(),
        "enrollment_url": values["enrollment_url"].strip(),
    }


def create_product(incident: Incident, values: dict) -> MonitoringProduct:
    product = dao_add_product(MonitoringProduct(incident_id=incident.id, **_clean(values)))
    record_audit(
        AuditAction.MONITORING_PRODUCT_CREATED,
        f"monitoring_product:{product.id}",
        details={"incident": incident.slug, **_audit_values(product)},
    )
    db.session.commit()
    return product


def update_product(product: MonitoringProduct, values: dict) -> bool:
    """Save changes; False if nothing changed (no audit event for a no-op save)."""
    cleaned = _clean(values)
    changed = {name: value for name, value in cleaned.items() if getattr(product, name) != value}
    if not changed:
        return False
    for name, value in changed.items():
        setattr(product, name, value)
    record_audit(
        AuditAction.MONITORING_PRODUCT_UPDATED, f"monitoring_product:{product.id}", details={"changed": sorted(changed)}
    )
    db.session.commit()
    return True


def _audit_values(product: MonitoringProduct) -> dict:
    return {name: getattr(product, name) for name in PRODUCT_FIELDS}


@dataclass(frozen=True)
class ProductPool:
    product: MonitoringProduct
    counts: PoolCounts

    @property
    def low(self) -> bool:
        """Below the product's threshold (an empty pool is low too)."""
        return self.product.active and self.counts.available < max(self.product.low_pool_threshold, 1)


@dataclass(frozen=True)
class IncidentProducts:
    incident: Incident
    pools: list[ProductPool]


def products_overview() -> list[IncidentProducts]:
    """Every incident with its products and their pools, for the admin page and its warnings."""
    products = dao_get_all_products()
    counts = dao_get_pool_counts(product.id for product in products)
    by_incident: dict[int, list[ProductPool]] = {}
    for product in products:
        by_incident.setdefault(product.incident_id, []).append(ProductPool(product, counts[product.id]))
    return [IncidentProducts(incident, by_incident.get(incident.id, [])) for incident in dao_get_all_incidents()]


def product_pool(product: MonitoringProduct) -> ProductPool:
    return ProductPool(product, dao_get_pool_counts([product.id])[product.id])

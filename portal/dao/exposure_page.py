"""The exposure page's reads: everything ``/my`` shows in as few statements as the page allows.

The page is the one every verified contractor lands on, so its reads are joined rather than
asked per incident or per product (see docs/performance.md).
"""

from sqlalchemy import and_, bindparam, select
from sqlalchemy.orm import lazyload

from portal.extensions import db
from portal.models import (
    ActivationCode,
    Claim,
    Exposure,
    Incident,
    MonitoringEnrollment,
    MonitoringProduct,
    Subscription,
)

ExposureRow = tuple[Exposure, Incident, Subscription | None, Claim | None]
MonitoringRow = tuple[MonitoringProduct, MonitoringEnrollment | None, ActivationCode | None]


# Built once: composing a select() costs more than SQLite takes to run it (a fifth of /my's reads
# went to building the same statements); bound parameters carry what changes.
_EXPOSURE_PAGE_ROWS = (
    select(Exposure, Incident, Subscription, Claim)
    .join(Incident, Incident.id == Exposure.incident_id)
    .outerjoin(
        Subscription,
        and_(Subscription.person_id == Exposure.person_id, Subscription.incident_id == Exposure.incident_id),
    )
    .outerjoin(Claim, and_(Claim.person_id == Exposure.person_id, Claim.incident_id == Exposure.incident_id))
    .where(Exposure.person_id == bindparam("person_id"))
    .order_by(Incident.discovered_on.desc(), Incident.id)
    .options(lazyload(Claim.benefits))
)
_MONITORING_ROWS = (
    select(MonitoringProduct, MonitoringEnrollment, ActivationCode)
    .outerjoin(
        MonitoringEnrollment,
        and_(
            MonitoringEnrollment.product_id == MonitoringProduct.id,
            MonitoringEnrollment.person_id == bindparam("person_id"),
        ),
    )
    .outerjoin(ActivationCode, ActivationCode.enrollment_id == MonitoringEnrollment.id)
    .where(MonitoringProduct.incident_id.in_(bindparam("incident_ids", expanding=True)))
    .order_by(MonitoringProduct.incident_id, MonitoringProduct.id)
)


def dao_get_exposure_page_rows(person_id: int) -> list[ExposureRow]:
    """Each exposure with its incident and the person's subscription and claim for that incident.

    Subscription and claim are unique per (person, incident), so the outer joins add no rows. The
    claim's benefits are not loaded: the page shows only its status and reference.
    """
    rows = db.session.execute(_EXPOSURE_PAGE_ROWS, {"person_id": person_id})
    return [(exposure, incident, subscription, claim) for exposure, incident, subscription, claim in rows]


def dao_get_monitoring_rows(person_id: int, incident_ids: list[int]) -> list[MonitoringRow]:
    """Every product of these incidents, with the person's enrollment in it and the code it was served."""
    if not incident_ids:
        return []
    rows = db.session.execute(_MONITORING_ROWS, {"person_id": person_id, "incident_ids": incident_ids})
    return [(product, enrollment, code) for product, enrollment, code in rows]

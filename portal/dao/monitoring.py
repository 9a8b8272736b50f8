"""Queries for monitoring products, activation-code pools and enrollments.

Two claims must never be won twice: a code (by two enrollments) and a waiting enrollment (by two
servers of the waiting list). Each is a compare-and-set ``UPDATE … WHERE <still free>`` whose row
count says who won, which is correct on every database. On PostgreSQL the candidate row is picked
with ``FOR UPDATE SKIP LOCKED`` so concurrent requests take different rows instead of queueing on
one; SQLite ignores the clause and lets one writer in at a time.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, bindparam, case, func, insert, select, update

from portal.constants import EnrollmentStatus
from portal.extensions import db
from portal.models import (
    ActivationCode,
    MonitoringEnrollment,
    MonitoringProduct,
)

# Losing the compare-and-set this many times in a row means something is badly wrong, not busy.
_CLAIM_ATTEMPTS = 50


@dataclass(frozen=True)
class PoolCounts:
    available: int = 0
    assigned: int = 0
    waiting: int = 0


def dao_get_product(product_id: int) -> MonitoringProduct | None:
    return db.session.get(MonitoringProduct, product_id)


def dao_get_products_for_incident(incident_id: int, *, active_only: bool = False) -> list[MonitoringProduct]:
    query = select(MonitoringProduct).where(MonitoringProduct.incident_id == incident_id)
    if active_only:
        query = query.where(MonitoringProduct.active.is_(True))
    return list(db.session.scalars(query.order_by(MonitoringProduct.id)))


def dao_get_all_products() -> list[MonitoringProduct]:
    return list(
        db.session.scalars(select(MonitoringProduct).order_by(MonitoringProduct.incident_id, MonitoringProduct.id))
    )


def dao_add_product(product: MonitoringProduct) -> MonitoringProduct:
    db.session.add(product)
    db.session.flush()  # the id goes into the audit event written in the same transaction
    return product


def dao_get_enrollment(person_id: int, product_id: int) -> MonitoringEnrollment | None:
    return db.session.scalar(
        select(MonitoringEnrollment).where(
            MonitoringEnrollment.person_id == person_id, MonitoringEnrollment.product_id == product_id
        )
    )


def dao_get_enrollment_by_id(enrollment_id: int) -> MonitoringEnrollment | None:
    return db.session.get(MonitoringEnrollment, enrollment_id, populate_existing=True)


def dao_get_enrollments_of_person(person_id: int) -> dict[int, MonitoringEnrollment]:
    """product id → the person's enrollment in it."""
    rows = db.session.scalars(select(MonitoringEnrollment).where(MonitoringEnrollment.person_id == person_id))
    return {row.product_id: row for row in rows}


def dao_add_enrollment(enrollment: MonitoringEnrollment) -> None:
    """Flush it; the (person, product) unique constraint raises IntegrityError for a twin request."""
    db.session.add(enrollment)
    db.session.flush()


def dao_get_next_waiting_enrollment_id(product_id: int) -> int | None:
    """The longest-waiting enrollment nobody else is serving right now (first come, first served)."""
    return db.session.scalar(
        select(MonitoringEnrollment.id)
        .where(MonitoringEnrollment.product_id == product_id, MonitoringEnrollment.status == EnrollmentStatus.WAITING)
        .order_by(MonitoringEnrollment.created_at, MonitoringEnrollment.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    )


def dao_mark_enrollment_served(enrollment_id: int, now: datetime) -> bool:
    """WAITING → ENROLLED; False if another request served it first."""
    result = db.session.execute(
        update(MonitoringEnrollment)
        .where(MonitoringEnrollment.id == enrollment_id, MonitoringEnrollment.status == EnrollmentStatus.WAITING)
        .values(status=EnrollmentStatus.ENROLLED, served_at=now)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def _pick_free_code_id(product_id: int) -> int | None:
    """A code that looked free when read; only the UPDATE below decides whether we got it."""
    return db.session.scalar(
        select(ActivationCode.id)
        .where(ActivationCode.product_id == product_id, ActivationCode.enrollment_id.is_(None))
        .order_by(ActivationCode.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    )


def dao_claim_activation_code(product_id: int, enrollment_id: int, now: datetime) -> ActivationCode | None:
    """Give the enrollment a free code from the product's pool; None if the pool is empty."""
    for _ in range(_CLAIM_ATTEMPTS):
        code_id = _pick_free_code_id(product_id)
        if code_id is None:
            return None
        result = db.session.execute(
            update(ActivationCode)
            .where(ActivationCode.id == code_id, ActivationCode.enrollment_id.is_(None))
            .values(enrollment_id=enrollment_id, assigned_at=now)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount == 1:
            return db.session.get(ActivationCode, code_id, populate_existing=True)
    raise RuntimeError(f"could not claim an activation code for product {product_id} after {_CLAIM_ATTEMPTS} tries")


def dao_get_code_of_enrollment(enrollment_id: int) -> ActivationCode | None:
    return db.session.scalar(select(ActivationCode).where(ActivationCode.enrollment_id == enrollment_id))


def dao_find_existing_code_hashes(product_id: int, code_hashes: Iterable[str], chunk: int = 500) -> set[str]:
    hashes, found = list(code_hashes), set()
    for start in range(0, len(hashes), chunk):
        found.update(
            db.session.scalars(
                select(ActivationCode.code_hash).where(
                    ActivationCode.product_id == product_id, ActivationCode.code_hash.in_(hashes[start : start + chunk])
                )
            )
        )
    return found


def dao_add_activation_codes(product_id: int, rows: list[tuple[str, str]], now: datetime) -> None:
    """Bulk insert (code_hash, code_enc) pairs in the caller's transaction."""
    if rows:
        db.session.execute(
            insert(ActivationCode),
            [
                {"product_id": product_id, "code_hash": code_hash, "code_enc": code_enc, "imported_at": now}
                for code_hash, code_enc in rows
            ],
        )


def dao_get_pool_counts(product_ids: Iterable[int]) -> dict[int, PoolCounts]:
    """product id → codes available, codes assigned and people waiting."""
    ids = list(product_ids)
    if not ids:
        return {}
    codes = db.session.execute(
        select(
            ActivationCode.product_id,
            func.sum(case((ActivationCode.enrollment_id.is_(None), 1), else_=0)),
            func.sum(case((ActivationCode.enrollment_id.is_(None), 0), else_=1)),
        )
        .where(ActivationCode.product_id.in_(ids))
        .group_by(ActivationCode.product_id)
    )
    waiting = dict(
        db.session.execute(
            select(MonitoringEnrollment.product_id, func.count(MonitoringEnrollment.id))
            .where(MonitoringEnrollment.product_id.in_(ids), MonitoringEnrollment.status == EnrollmentStatus.WAITING)
            .group_by(MonitoringEnrollment.product_id)
        ).all()
    )
    counts = {product_id: PoolCounts(int(free or 0), int(used or 0)) for product_id, free, used in codes}
    return {
        product_id: PoolCounts(
            counts.get(product_id, PoolCounts()).available,
            counts.get(product_id, PoolCounts()).assigned,
            int(waiting.get(product_id, 0)),
        )
        for product_id in ids
    }


def dao_get_person_enrollments(person_id: int) -> list[tuple[MonitoringEnrollment, str]]:
    query = (
        select(MonitoringEnrollment, MonitoringProduct.name)
        .join(MonitoringProduct, MonitoringProduct.id == MonitoringEnrollment.product_id)
        .where(MonitoringEnrollment.person_id == person_id)
        .order_by(MonitoringEnrollment.created_at.desc())
    )
    return [tuple(row) for row in db.session.execute(query)]


MonitoringRow = tuple[MonitoringProduct, MonitoringEnrollment | None, ActivationCode | None]
# /my reads it on every visit: built once (portal/dao/__init__.py says why).
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


def dao_get_monitoring_rows(person_id: int, incident_ids: list[int]) -> list[MonitoringRow]:
    """Every product of these incidents, with the person's enrollment in it and the code it was served."""
    if not incident_ids:
        return []
    rows = db.session.execute(_MONITORING_ROWS, {"person_id": person_id, "incident_ids": incident_ids})
    return [(product, enrollment, code) for product, enrollment, code in rows]


def dao_enrollments_of_person(person_id: int) -> list[tuple[MonitoringEnrollment, MonitoringProduct]]:
    rows = db.session.execute(
        select(MonitoringEnrollment, MonitoringProduct)
        .join(MonitoringProduct, MonitoringProduct.id == MonitoringEnrollment.product_id)
        .where(MonitoringEnrollment.person_id == person_id)
        .order_by(MonitoringEnrollment.id)
    )
    return [(enrollment, product) for enrollment, product in rows]

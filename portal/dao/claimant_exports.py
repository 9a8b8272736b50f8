"""Queries for the claimant export: its filters, keyset pages of claims and the per-page lookups.

Exports page by keyset (``id > last id ORDER BY id LIMIT n``), never OFFSET and never one huge
result: each page is a short query, so memory stays flat for a million rows, commits between
pages (progress) are safe, and PostgreSQL does not hold a snapshot open for the whole export.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import BigInteger, Float, String, and_, case, cast, exists, func, literal, select, type_coerce
from sqlalchemy.sql import ColumnElement

from portal.constants import BenefitKind, ClaimStatus
from portal.dao.sql import string_agg
from portal.extensions import db
from portal.models import Claim, ClaimBenefit, ClaimSettings, Exposure, FraudSignal, Incident, Person

FRAUD_ANY = "any"
FRAUD_NONE = "none"
LIST_SEPARATOR = "\x1f"  # joins kinds and categories in SQL; no kind or category contains it


@dataclass(frozen=True)
class ClaimantQuery:
    """The filters of a claimant export, as the dao needs them (see portal/legal/exports.py)."""

    incident_id: int | None = None
    statuses: tuple[str, ...] = ()
    benefit: str = ""
    country: str = ""
    region: str = ""
    fraud: str = ""  # "", "any", "none" or a FraudSignalKind
    submitted_from: date | None = None
    submitted_to: date | None = None


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def claimant_conditions(query: ClaimantQuery) -> list[ColumnElement]:
    conditions = [Claim.status.in_(query.statuses) if query.statuses else Claim.status != ClaimStatus.DRAFT]
    if query.incident_id:
        conditions.append(Claim.incident_id == query.incident_id)
    if query.benefit:
        conditions.append(
            exists(
                select(ClaimBenefit.id)
                .where(ClaimBenefit.claim_id == Claim.id, ClaimBenefit.kind == query.benefit)
                .correlate(Claim)
            )
        )
    if query.country:
        conditions.append(Person.country == query.country)
    if query.region:
        conditions.append(Person.region == query.region)
    if query.fraud:
        # Correlated to the claim only: the page lookups join FraudSignal / ClaimBenefit themselves.
        signal = select(FraudSignal.id).where(FraudSignal.claim_id == Claim.id).correlate(Claim)
        if query.fraud == FRAUD_NONE:
            conditions.append(~exists(signal))
        elif query.fraud == FRAUD_ANY:
            conditions.append(exists(signal))
        else:
            conditions.append(exists(signal.where(FraudSignal.kind == query.fraud)))
    if query.submitted_from:
        conditions.append(Claim.submitted_at >= _day_start(query.submitted_from))
    if query.submitted_to:
        conditions.append(Claim.submitted_at < _day_start(query.submitted_to + timedelta(days=1)))
    return conditions


CLAIMANT_COLUMNS = (
    # The two times come back without SQLAlchemy's datetime processing (a str on SQLite, a datetime
    # from psycopg): parsing a string only to print it again was a tenth of an export's time.
    Claim.id,
    Claim.reference,
    Claim.status,
    Claim.payment_method,
    Claim.payment_details_enc,
    type_coerce(Claim.submitted_at, String),
    type_coerce(Claim.decided_at, String),
    Claim.attestation_name,
    Incident.slug,
    Person.uid,
    Person.contractor_id,
    Person.first_name,
    Person.last_name,
    Person.email,
    Person.phone_enc,
    Person.address_enc,
    Person.country,
    Person.region,
    func.coalesce(ClaimSettings.currency, literal("USD")),
)


def _claimants_select(*columns):
    return (
        select(*columns)
        .select_from(Claim)
        .join(Person, Person.id == Claim.person_id)
        .join(Incident, Incident.id == Claim.incident_id)
        .outerjoin(ClaimSettings, ClaimSettings.incident_id == Claim.incident_id)
    )


def dao_count_claimants(query: ClaimantQuery) -> int:
    return db.session.scalar(_claimants_select(func.count(Claim.id)).where(*claimant_conditions(query))) or 0


def _driver_rows(statement) -> list[tuple]:
    """The driver's own tuples. SQLAlchemy still compiles the statement and binds its parameters, but
    building a Row per result row cost more than the query itself at export volumes, and every
    column here comes back as the export uses it (no type processing to apply)."""
    result = db.session.connection().execute(statement)
    try:
        return result.cursor.fetchall()
    finally:
        result.close()


def _only_claims(query: ClaimantQuery, *columns):
    """SELECT ``columns`` from the claims the export's filters pick, joining only what they need."""
    statement = select(*columns).select_from(Claim)
    if query.country or query.region:  # the only conditions on the person
        statement = statement.join(Person, Person.id == Claim.person_id)
    return statement.where(*claimant_conditions(query))


def dao_get_claimant_page(
    query: ClaimantQuery, after_id: int, limit: int | None, upto_id: int | None = None
) -> list[tuple]:
    """A keyset page in id order: the claims with ids above ``after_id``, at most ``limit`` of them,
    or (for the export's workers) all of them up to ``upto_id``."""
    statement = _claimants_select(*CLAIMANT_COLUMNS).where(*claimant_conditions(query), Claim.id > after_id)
    if upto_id is not None:
        statement = statement.where(Claim.id <= upto_id)
    return _driver_rows(statement.order_by(Claim.id).limit(limit))


def dao_get_claimant_page_end(query: ClaimantQuery, after_id: int, limit: int) -> int | None:
    """The last claim id of the page ``dao_get_claimant_page(query, after_id, limit)`` would return,
    without reading its rows (None: no claims left). The export hands such id ranges to workers."""
    ids = _only_claims(query, Claim.id).where(Claim.id > after_id).order_by(Claim.id).limit(limit).subquery()
    return db.session.scalar(select(func.max(ids.c.id)))


def _page_lookup(query: ClaimantQuery, first_id: int, last_id: int, *columns):
    """SELECT ``columns`` for the claims of one page: the page's id range under the export's own
    filters. A range, not an IN list of 2,000 ids, which SQLAlchemy would expand on every page."""
    return _only_claims(query, *columns).where(Claim.id.between(first_id, last_id))


def _cents(kind: str | None = None) -> ColumnElement:
    """Sum of the amounts (of one kind), as an integer: PostgreSQL's sum of a bigint is a numeric."""
    amount = (
        ClaimBenefit.amount_cents
        if kind is None
        else case((ClaimBenefit.kind == kind, ClaimBenefit.amount_cents), else_=0)
    )
    return cast(func.sum(amount), BigInteger)


def dao_get_benefit_sums_for_page(query: ClaimantQuery, first_id: int, last_id: int) -> dict[int, tuple]:
    """claim id → (kinds, out-of-pocket cents, lost-time cents, lost-time hours, alternative-cash
    cents, total cents): one row per claim, summed in SQL. ``kinds`` is every benefit row's kind,
    joined with LIST_SEPARATOR, repeated and in no set order; hours a float, not a Decimal."""
    lost_hours = case((ClaimBenefit.kind == BenefitKind.LOST_TIME, ClaimBenefit.hours), else_=0)
    statement = (
        _page_lookup(
            query,
            first_id,
            last_id,
            ClaimBenefit.claim_id,
            string_agg(ClaimBenefit.kind, LIST_SEPARATOR),
            _cents(BenefitKind.OUT_OF_POCKET),
            _cents(BenefitKind.LOST_TIME),
            cast(func.sum(lost_hours), Float),
            _cents(BenefitKind.ALTERNATIVE_CASH),
            _cents(),
        )
        .join(ClaimBenefit, ClaimBenefit.claim_id == Claim.id)
        .group_by(ClaimBenefit.claim_id)
    )
    return {row[0]: row[1:] for row in _driver_rows(statement)}


def dao_get_categories_for_page(query: ClaimantQuery, first_id: int, last_id: int) -> dict[int, str]:
    """claim id → the categories exposed to its claimant in its incident, joined with LIST_SEPARATOR
    in no set order (the export sorts them: a handful of combinations, sorted once each)."""
    statement = (
        _page_lookup(query, first_id, last_id, Claim.id, string_agg(Exposure.category, LIST_SEPARATOR))
        .join(Exposure, and_(Exposure.person_id == Claim.person_id, Exposure.incident_id == Claim.incident_id))
        .group_by(Claim.id)
    )
    return dict(_driver_rows(statement))


def dao_get_fraud_signals_for_page(query: ClaimantQuery, first_id: int, last_id: int) -> dict[int, list[tuple]]:
    """claim id → [(kind, detail)] in kind order, for the claims of the page that have any."""
    found: dict[int, list[tuple]] = {}
    statement = (
        _page_lookup(query, first_id, last_id, FraudSignal.claim_id, FraudSignal.kind, FraudSignal.detail)
        .join(FraudSignal, FraudSignal.claim_id == Claim.id)
        .order_by(FraudSignal.kind)
    )
    for claim_id, kind, detail in _driver_rows(statement):
        found.setdefault(claim_id, []).append((kind, detail))
    return found

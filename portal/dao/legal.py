"""Queries for the legal workspace: exclusions, export jobs, the declaration, the regulator report.

The claimant export's own queries (its filters, pages and per-page lookups) are in
portal/dao/claimant_exports.py. Exclusion lists page by keyset (``id > last id ORDER BY id LIMIT
n``), never OFFSET, so memory stays flat however long the list.
"""

from sqlalchemy import and_, case, exists, func, or_, select, update
from sqlalchemy.sql import ColumnElement

from portal.constants import NOTIFICATION_GOT_THROUGH, Channel, ExportStatus, NotificationStatus
from portal.extensions import db
from portal.models import (
    AuditEvent,
    Batch,
    ExclusionRequest,
    ExportJob,
    Exposure,
    Incident,
    NoticeTemplateContent,
    Notification,
    OutsideNotice,
    Person,
    ReturnedLetter,
)


def _core_rows(statement) -> list[tuple]:
    """Rows as plain tuples through the Core connection: the ORM's row loading costs more than the
    query itself at export volumes, and these are columns, not entities."""
    return db.session.connection().execute(statement).all()  # fetchall: iterating fetches row by row


# -- exclusions -----------------------------------------------------------------------------------


def dao_get_exclusion(person_id: int, incident_id: int) -> ExclusionRequest | None:
    return db.session.scalar(
        select(ExclusionRequest).where(
            ExclusionRequest.person_id == person_id, ExclusionRequest.incident_id == incident_id
        )
    )


def dao_get_standing_exclusion(person_id: int, incident_id: int) -> ExclusionRequest | None:
    """The person's request to be excluded from the incident's settlement, unless withdrawn."""
    return db.session.scalar(
        select(ExclusionRequest).where(
            ExclusionRequest.person_id == person_id,
            ExclusionRequest.incident_id == incident_id,
            ExclusionRequest.withdrawn_at.is_(None),
        )
    )


def dao_add_exclusion(row: ExclusionRequest) -> ExclusionRequest:
    db.session.add(row)
    db.session.flush()
    return row


def dao_claim_export_job(job_id: int) -> bool:
    """QUEUED → RUNNING; False if another process (a task delivered twice) claimed it first."""
    result = db.session.execute(
        update(ExportJob)
        .where(ExportJob.id == job_id, ExportJob.status == ExportStatus.QUEUED)
        .values(status=ExportStatus.RUNNING)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def dao_renew_withdrawn_exclusion(row: ExclusionRequest, values: dict) -> bool:
    """The withdrawn request asked for again, only if it is still withdrawn (a twin request may have renewed it)."""
    result = db.session.execute(
        update(ExclusionRequest)
        .where(ExclusionRequest.id == row.id, ExclusionRequest.withdrawn_at.is_not(None))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    db.session.expire(row)
    return result.rowcount == 1


def dao_withdraw_exclusion(row: ExclusionRequest, now) -> bool:
    """Standing → withdrawn; False if it was not standing any more."""
    result = db.session.execute(
        update(ExclusionRequest)
        .where(ExclusionRequest.id == row.id, ExclusionRequest.withdrawn_at.is_(None))
        .values(withdrawn_at=now)
        .execution_options(synchronize_session=False)
    )
    db.session.expire(row)
    return result.rowcount == 1


def _exclusion_conditions(incident_id: int | None, include_withdrawn: bool) -> list[ColumnElement]:
    conditions = []
    if incident_id:
        conditions.append(ExclusionRequest.incident_id == incident_id)
    if not include_withdrawn:
        conditions.append(ExclusionRequest.withdrawn_at.is_(None))
    return conditions


def dao_count_exclusions(incident_id: int | None, include_withdrawn: bool = False) -> int:
    return (
        db.session.scalar(
            select(func.count(ExclusionRequest.id)).where(*_exclusion_conditions(incident_id, include_withdrawn))
        )
        or 0
    )


def dao_get_exclusion_page(incident_id: int | None, include_withdrawn: bool, after_id: int, limit: int) -> list[tuple]:
    statement = (
        select(
            ExclusionRequest.id,
            Incident.slug,
            Person.contractor_id,
            Person.first_name,
            Person.last_name,
            Person.email,
            Person.country,
            Person.region,
            ExclusionRequest.typed_name,
            ExclusionRequest.reason,
            ExclusionRequest.requested_at,
            ExclusionRequest.withdrawn_at,
        )
        .join(Person, Person.id == ExclusionRequest.person_id)
        .join(Incident, Incident.id == ExclusionRequest.incident_id)
        .where(*_exclusion_conditions(incident_id, include_withdrawn), ExclusionRequest.id > after_id)
        .order_by(ExclusionRequest.id)
        .limit(limit)
    )
    return _core_rows(statement)


def dao_get_recent_exclusions(incident_id: int | None, limit: int = 50) -> list[tuple[ExclusionRequest, Person]]:
    statement = (
        select(ExclusionRequest, Person)
        .join(Person, Person.id == ExclusionRequest.person_id)
        .where(*_exclusion_conditions(incident_id, True))
        .order_by(ExclusionRequest.id.desc())
        .limit(limit)
    )
    return [(request, person) for request, person in db.session.execute(statement)]


def dao_get_incidents_for_person(person_id: int) -> list[Incident]:
    statement = (
        select(Incident)
        .where(exists(select(Exposure.id).where(Exposure.person_id == person_id, Exposure.incident_id == Incident.id)))
        .order_by(Incident.discovered_on.desc(), Incident.id)
    )
    return list(db.session.scalars(statement))


# -- export jobs ----------------------------------------------------------------------------------


def dao_add_export_job(job: ExportJob) -> ExportJob:
    db.session.add(job)
    db.session.flush()
    return job


def dao_get_export_job(job_id: int) -> ExportJob | None:
    return db.session.get(ExportJob, job_id)


def dao_get_recent_export_jobs(limit: int = 20) -> list[ExportJob]:
    return list(db.session.scalars(select(ExportJob).order_by(ExportJob.id.desc()).limit(limit)))


def dao_set_export_progress(job_id: int, rows_written: int) -> None:
    db.session.execute(
        update(ExportJob)
        .where(ExportJob.id == job_id)
        .values(rows_written=rows_written)
        .execution_options(synchronize_session=False)
    )


def dao_get_export_manifest_event(job_id: int) -> AuditEvent | None:
    """The audit event written when the file was finished: its details are the file's manifest."""
    return db.session.scalar(
        select(AuditEvent)
        .where(AuditEvent.action == "export.created", AuditEvent.target == f"export:{job_id}")
        .order_by(AuditEvent.id.desc())
    )


# -- declaration ----------------------------------------------------------------------------------


def _in_register(incident_id: int) -> ColumnElement:
    return exists(select(Exposure.id).where(Exposure.person_id == Person.id, Exposure.incident_id == incident_id))


def dao_count_register(incident_id: int) -> int:
    return db.session.scalar(select(func.count(Person.id)).where(_in_register(incident_id))) or 0


def dao_count_notifications_by_batch_and_status(incident_id: int) -> list[tuple[Batch, str, int]]:
    """Every batch of the incident with each status its notifications are in and how many (0-row batches too)."""
    counts = (
        select(Notification.batch_id, Notification.status, func.count(Notification.id).label("n"))
        .group_by(Notification.batch_id, Notification.status)
        .subquery()
    )
    statement = (
        select(Batch, counts.c.status, counts.c.n)
        .outerjoin(counts, counts.c.batch_id == Batch.id)
        .where(Batch.incident_id == incident_id)
        .order_by(Batch.id, counts.c.status)
    )
    return [(batch, status, n or 0) for batch, status, n in db.session.execute(statement)]


def dao_count_notifications_in_incident(incident_id: int) -> int:
    return (
        db.session.scalar(
            select(func.count(Notification.id))
            .join(Batch, Batch.id == Notification.batch_id)
            .where(Batch.incident_id == incident_id)
        )
        or 0
    )


def _flag(condition) -> ColumnElement:
    return func.max(case((condition, 1), else_=0))


def dao_get_register_outcomes(incident_id: int) -> dict[str, int]:
    """Each person in the register counted once, by the best thing that happened to their notices.

    Flags per person over every notification in the incident's batches, then one pass over the
    register: the outcomes are exclusive, so they add up to the register exactly.
    """
    email, letter = Batch.channel == Channel.EMAIL, Batch.channel == Channel.LETTER
    status = Notification.status
    flags = (
        select(
            Notification.person_id.label("person_id"),
            _flag(and_(email, status == NotificationStatus.DELIVERED)).label("email_delivered"),
            _flag(and_(email, status.in_(NOTIFICATION_GOT_THROUGH))).label("email_through"),
            _flag(
                and_(
                    email,
                    status.in_((NotificationStatus.BOUNCED, NotificationStatus.DROPPED, NotificationStatus.FAILED)),
                )
            ).label("email_undeliverable"),
            _flag(and_(letter, status.in_(NOTIFICATION_GOT_THROUGH))).label("letter_sent"),
        )
        .join(Batch, Batch.id == Notification.batch_id)
        .where(Batch.incident_id == incident_id)
        .group_by(Notification.person_id)
        .subquery()
    )
    f = flags.c
    # Notices the letter vendor sent outside the portal, and letters that came back (portal/trust/vendor_imports.py).
    outside = (
        select(
            OutsideNotice.person_id.label("person_id"),
            _flag(OutsideNotice.channel == Channel.EMAIL).label("email"),
            _flag(OutsideNotice.channel == Channel.LETTER).label("letter"),
        )
        .where(OutsideNotice.incident_id == incident_id)
        .group_by(OutsideNotice.person_id)
        .subquery()
    )
    returned = (
        select(ReturnedLetter.person_id.label("person_id"))
        .where(ReturnedLetter.incident_id == incident_id)
        .group_by(ReturnedLetter.person_id)
        .subquery()
    )
    o, r = outside.c, returned.c

    def on(flag) -> ColumnElement:
        # No row in a joined subquery is a NULL flag: "not set", never SQL's unknown (NOT NULL is NULL).
        return func.coalesce(flag, 0) == 1

    attempted = or_(f.person_id.is_not(None), o.person_id.is_not(None))
    email_delivered = on(f.email_delivered)
    email_through = or_(on(f.email_through), on(o.email))
    # A returned letter means no letter reached the person (until one is mailed and not returned again).
    letter_sent = and_(or_(on(f.letter_sent), on(o.letter)), r.person_id.is_(None))

    def count_if(condition) -> ColumnElement:
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    statement = (
        select(
            func.count(Person.id),
            count_if(email_delivered),
            count_if(and_(email_through, ~email_delivered)),
            count_if(and_(letter_sent, ~email_through)),
            count_if(and_(attempted, ~email_through, ~letter_sent)),
            count_if(~attempted),
            count_if(email_through),
            count_if(letter_sent),
            count_if(on(f.email_undeliverable)),
            count_if(and_(on(f.email_undeliverable), letter_sent)),
            count_if(o.person_id.is_not(None)),
            count_if(r.person_id.is_not(None)),
        )
        .select_from(Person)
        .outerjoin(flags, f.person_id == Person.id)
        .outerjoin(outside, o.person_id == Person.id)
        .outerjoin(returned, r.person_id == Person.id)
        .where(_in_register(incident_id))
    )
    row = db.session.execute(statement).one()
    keys = (
        "register",
        "delivered_by_email",
        "accepted_by_email",
        "sent_by_letter",
        "not_reached",
        "never_sent",
        "emailed",
        "lettered",
        "email_undeliverable",
        "remailed_by_letter",
        "notified_outside_portal",
        "letters_returned",
    )
    return {key: int(value or 0) for key, value in zip(keys, row, strict=True)}


# -- regulator report -----------------------------------------------------------------------------


def dao_count_residents_by_place(incident_id: int, category_sets: list[tuple[str, ...]]) -> list[tuple]:
    """Per (country, region): people, people a notice got through to, then for each set in
    ``category_sets`` the people with any of those categories exposed. One grouped pass."""

    def with_any(categories: tuple[str, ...]) -> ColumnElement:
        sensitive = exists(
            select(Exposure.id).where(
                Exposure.person_id == Person.id, Exposure.incident_id == incident_id, Exposure.category.in_(categories)
            )
        )
        return func.sum(case((sensitive, 1), else_=0))

    def got_through_by(channel: str) -> ColumnElement:
        sent = exists(
            select(Notification.id)
            .join(Batch, Batch.id == Notification.batch_id)
            .where(
                Notification.person_id == Person.id,
                Batch.incident_id == incident_id,
                Batch.channel == channel,
                Notification.status.in_(NOTIFICATION_GOT_THROUGH),
            )
        )
        # Or mailed by the letter vendor outside the portal (imported: portal/trust/vendor_imports.py).
        outside = exists(
            select(OutsideNotice.id).where(
                OutsideNotice.person_id == Person.id,
                OutsideNotice.incident_id == incident_id,
                OutsideNotice.channel == channel,
            )
        )
        return or_(sent, outside)

    returned = exists(
        select(ReturnedLetter.id).where(
            ReturnedLetter.person_id == Person.id, ReturnedLetter.incident_id == incident_id
        )
    )
    # As the declaration counts it: an email that got through, or a letter that did not come back.
    notified = or_(got_through_by(Channel.EMAIL), and_(got_through_by(Channel.LETTER), ~returned))
    statement = (
        select(
            Person.country,
            Person.region,
            func.count(Person.id),
            func.sum(case((notified, 1), else_=0)),
            *(with_any(categories) for categories in category_sets),
        )
        .where(_in_register(incident_id))
        .group_by(Person.country, Person.region)
        .order_by(Person.country, Person.region)
    )
    return [
        (row[0] or "", row[1] or "", *(int(value or 0) for value in row[2:])) for row in db.session.execute(statement)
    ]


# -- notice variants ------------------------------------------------------------------------------


def dao_get_variant_keys(version_id: int) -> list[tuple[str, str]]:
    """(language, jurisdiction) of every content of a template version ('' = the default content)."""
    rows = db.session.execute(
        select(NoticeTemplateContent.language, NoticeTemplateContent.jurisdiction).where(
            NoticeTemplateContent.version_id == version_id
        )
    )
    return [(language, jurisdiction) for language, jurisdiction in rows]


def dao_get_incident_categories(incident_id: int) -> set[str]:
    """The categories exposed for anyone in the incident (what a notice variant must speak to)."""
    return set(db.session.scalars(select(Exposure.category).where(Exposure.incident_id == incident_id).distinct()))


def dao_get_export_jobs_with_files_before(before) -> list[ExportJob]:
    return list(
        db.session.scalars(
            select(ExportJob).where(ExportJob.file_name != "", ExportJob.created_at < before).order_by(ExportJob.id)
        )
    )


def dao_get_person_exclusions(person_id: int) -> list[tuple[ExclusionRequest, str]]:
    query = (
        select(ExclusionRequest, Incident.title)
        .join(Incident, Incident.id == ExclusionRequest.incident_id)
        .where(ExclusionRequest.person_id == person_id)
        .order_by(ExclusionRequest.requested_at.desc())
    )
    return [tuple(row) for row in db.session.execute(query)]

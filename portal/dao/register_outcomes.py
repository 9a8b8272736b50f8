"""What reached the people in an incident's register, counted: the declaration (outcome by person,
notifications by batch and status) and the regulator report (residents by place and category).
"""

from sqlalchemy import and_, case, exists, func, or_, select
from sqlalchemy.sql import ColumnElement

from portal.constants import NOTIFICATION_GOT_THROUGH, Channel, NotificationStatus
from portal.extensions import db
from portal.models import (
    Batch,
    Exposure,
    Notification,
    OutsideNotice,
    Person,
    ReturnedLetter,
)

# -- declaration ----------------------------------------------------------------------------------


def _in_register(incident_id: int) -> ColumnElement:
    return exists(select(Exposure.id).where(Exposure.person_id == Person.id, Exposure.incident_id == incident_id))


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

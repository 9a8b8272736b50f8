"""Builders and sign-in for the monitoring and updates tests (written through the services and models)."""

from datetime import date

from sqlalchemy import select

from portal.constants import MailKind
from portal.extensions import db
from portal.models import MonitoringProduct, OutboxMessage
from portal.monitoring.codes import import_activation_codes
from tests.factories import check_form, give_notice_code


def make_product(
    incident,
    *,
    name="Identity Defense",
    provider="Kroll",
    countries="",
    months=24,
    requires_us_credit_file=False,
    threshold=5,
    active=True,
    url="https://enroll.example-provider.test/kroll",
) -> MonitoringProduct:
    product = MonitoringProduct(
        incident_id=incident.id,
        name=name,
        provider=provider,
        months=months,
        countries=countries,
        requires_us_credit_file=requires_us_credit_file,
        enrollment_url=url,
        low_pool_threshold=threshold,
        active=active,
    )
    db.session.add(product)
    db.session.commit()
    return product


def codes_csv(*codes: str, header: str = "code") -> bytes:
    return ("\n".join([header, *codes]) + "\n").encode()


def add_codes(product, *codes: str):
    return import_activation_codes(product, codes_csv(*codes), filename="test.csv")


def sign_in(client, person, incident=None, last_name=None, dob="1990-03-27") -> None:
    code = give_notice_code(person, incident)
    response = client.post("/check", data=check_form(code, last_name or person.last_name, dob))
    assert response.status_code == 302 and response.location.endswith("/my"), response.status_code
    client.get(response.location)  # land where a browser would: its forms' token is the verified session's


def outbox(kind: str | None = None) -> list[OutboxMessage]:
    query = select(OutboxMessage).order_by(OutboxMessage.id)
    if kind is not None:
        query = query.where(OutboxMessage.kind == kind)
    return list(db.session.scalars(query))


def code_mails() -> list[OutboxMessage]:
    return outbox(MailKind.MONITORING_CODE)


PAST = date(2020, 1, 1)
FUTURE = date(2099, 12, 31)

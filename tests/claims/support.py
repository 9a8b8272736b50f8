"""Builders for the claims tests: a verified claimant, proof files, and a claim walked through its steps."""

import io
import uuid
from dataclasses import dataclass
from datetime import date

from PIL import Image

from portal.dao.claims import dao_get_claim_by_person_and_incident
from portal.extensions import db
from portal.models import Claim, Incident, Person
from tests.claims.pdfs import build_pdf
from tests.factories import check_form, date_fields, expose, give_notice_code, make_incident, make_person


def pdf_bytes(extra: bytes = b"") -> bytes:
    """A valid one-page PDF; ``extra`` goes into the page's drawing (a comment there makes two files
    differ, and survives the rewrite a stored PDF goes through)."""
    return build_pdf(content=b"0 0 m 100 100 l S\n" + extra)


def png_bytes(size=(40, 30), colour=(200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "PNG")
    return out.getvalue()


def jpeg_bytes(with_gps: bool = False) -> bytes:
    image = Image.new("RGB", (64, 48), (20, 120, 200))
    out = io.BytesIO()
    if with_gps:
        exif = Image.Exif()
        exif[0x010F] = "PhoneMaker"  # Make
        exif[0x0110] = "SecretPhone 9"  # Model
        gps = {1: "S", 2: (1.0, 17.0, 30.0), 3: "E", 4: (36.0, 49.0, 12.0)}  # Nairobi
        exif[0x8825] = gps
        image.save(out, "JPEG", exif=exif.tobytes())
    else:
        image.save(out, "JPEG")
    return out.getvalue()


def upload(data: bytes, name: str = "receipt.pdf"):
    return (io.BytesIO(data), name)


@dataclass
class Claimant:
    person: Person
    incident: Incident
    code: str
    last_name: str
    date_of_birth: str

    def sign_in(self, client) -> None:
        response = client.post("/check", data=check_form(self.code, self.last_name, self.date_of_birth))
        assert response.status_code == 302 and response.location.endswith("/my"), response.status_code
        client.get(response.location)  # land where a browser would: its forms' token is the verified session's


def make_claimant(
    incident: Incident | None = None, *, last_name="Okafor", date_of_birth="1990-03-27", address=None, **fields
) -> Claimant:
    incident = incident or make_incident()
    person = make_person(last_name=last_name, date_of_birth=date_of_birth, **fields)
    if address is not None:
        import json

        person.encrypt_field("address", json.dumps(address))
        db.session.commit()
    expose(person, incident, "payment", "Bank account ending 4410")
    return Claimant(person, incident, give_notice_code(person, incident), last_name, date_of_birth)


def make_claim_incident(**fields) -> Incident:
    return make_incident(slug=f"incident-{uuid.uuid4().hex[:6]}", occurred_on=date(2026, 5, 1), **fields)


def claim_of(claimant: Claimant) -> Claim | None:
    db.session.expire_all()
    return dao_get_claim_by_person_and_incident(claimant.person.id, claimant.incident.id)


def start(client, claimant: Claimant) -> int:
    response = client.post(f"/my/claims/start/{claimant.incident.id}")
    assert response.status_code == 302, response.status_code
    return claim_of(claimant).id


BANK = {
    "account_holder": "Amina Okafor",
    "account_number": "DE89 3704 0044 0532 0130 00",
    "bank_name": "Commerzbank",
    "swift_bic": "COBADEFF",
}


def file_claim(
    client,
    claimant: Claimant,
    *,
    benefits=("alternative_cash",),
    method="bank_transfer",
    details=None,
    losses=(),
    hours=None,
    lost_time_files=(),
    name="Amina Okafor",
    submit=True,
) -> Claim:
    """Walk every step through the real routes; ``losses`` are (amount, date, description, file bytes)."""
    claim_id = start(client, claimant)
    base = f"/my/claims/{claim_id}"
    assert client.post(f"{base}/benefits", data={"benefits": list(benefits)}).status_code == 302
    for amount, incurred_on, description, data in losses:
        response = client.post(
            f"{base}/losses/add",
            data={
                "amount": amount,
                **date_fields("incurred_on", incurred_on),
                "description": description,
                "proof": upload(data),
            },
            content_type="multipart/form-data",
        )
        assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    if losses:
        assert client.post(f"{base}/losses").status_code == 302
    if hours is not None:
        files = [upload(data, "log.pdf") for data in lost_time_files]
        response = client.post(
            f"{base}/lost-time",
            data={"hours": hours, "description": "Calls to my bank", "documents": files},
            content_type="multipart/form-data",
        )
        assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    if any(kind != "monitoring" for kind in benefits):
        assert client.post(f"{base}/payment", data={"method": method}).status_code == 302
        if method != "check":
            response = client.post(f"{base}/payment-details", data=details or BANK)
            assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    if submit:
        response = client.post(f"{base}/check", data={"full_name": name, "confirm": "y"})
        assert response.status_code == 302 and response.location.endswith("/sent"), response.get_data(as_text=True)
    return claim_of(claimant)

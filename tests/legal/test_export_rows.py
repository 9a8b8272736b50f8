"""The claimant export's inner loop: CSV text, decryption through the key ring, neutralised cells."""

import base64
import csv
import io
import json
import random
import secrets

import pytest

from portal.claims.payment import payment_aad, seal_details
from portal.constants import Role
from portal.core.csv_safety import DANGEROUS_PREFIXES, csv_text
from portal.crypto import FieldCipher, crypto, person_field_aad
from portal.extensions import db
from portal.legal.claimant_rows import UNREADABLE, CellOpener
from portal.models import ClaimSettings
from tests.factories import make_incident, sign_in_staff
from tests.legal.support import claimant, make_claim
from tests.legal.test_exports import export, read_csv

# Everything csv.writer treats specially, the dangerous prefixes, and text beyond Latin-1.
ALPHABET = [",", '"', "\r", "\n", "\t", "=", "+", "-", "@", "'", " ", "a", "Z", "7", "é", "•", "\x00", "\u2028"]


def reference_csv(rows) -> str:
    out = io.StringIO()
    csv.writer(out, quoting=csv.QUOTE_ALL).writerows(rows)
    return out.getvalue()


def test_csv_text_writes_what_csv_writer_writes_for_any_cells():
    rng = random.Random(5)
    rows = [
        ["".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 4))) for _ in range(rng.randint(1, 6))]
        for _ in range(20_000)
    ]
    rows += [[""], ["", ""], ["plain"], ["a", "b,c"], ["x\r\ny", "z"]]
    assert csv_text(rows) == reference_csv(rows)


@pytest.fixture
def opener(app_ctx):
    return CellOpener(crypto().cipher, full_payment_details=False)


def test_the_cell_opener_reads_what_field_cipher_wrote(opener):
    cipher = crypto().cipher
    token = cipher.encrypt("Nairobi • ☎", person_field_aad("u1", "phone"))
    assert opener.person(token, "u1", "phone") == cipher.decrypt(token, person_field_aad("u1", "phone"))
    details = {"method": "paypal", "paypal_email": "amina@example.org"}
    assert opener.payment(seal_details(7, details), 7, "paypal") == "a•••@example.org"
    assert opener.unreadable == 0


def _sealed_bytes(plain: bytes, aad: str) -> str:
    """A token in FieldCipher's format around any bytes (FieldCipher itself only seals text)."""
    cipher = crypto().cipher
    nonce = secrets.token_bytes(12)
    sealed = cipher.ring[cipher.current_kid].encrypt(nonce, plain, aad.encode())
    return f"{cipher.current_kid}.{base64.b64encode(nonce + sealed).decode()}"


def test_every_kind_of_unreadable_cell_is_counted_not_fatal(opener):
    cipher = crypto().cipher
    phone = cipher.encrypt("+1 555", person_field_aad("u1", "phone"))
    retired = FieldCipher.from_spec(f"old:{base64.urlsafe_b64encode(bytes(32)).decode()}")
    cells = [
        opener.person(phone, "u2", "phone"),  # another person's value
        opener.person(retired.encrypt("+1", person_field_aad("u1", "phone")), "u1", "phone"),  # key not in the ring
        opener.person(phone[:-8], "u1", "phone"),  # cut short
        opener.person(phone.replace(".", ".é"), "u1", "phone"),  # not base64
        opener.person(_sealed_bytes(b"\xff\xfe", person_field_aad("u1", "phone")), "u1", "phone"),  # not UTF-8
        opener.address(phone, "u1")[0],  # sealed for another field
        opener.payment(cipher.encrypt("{not json", payment_aad(3)), 3, "bank_transfer"),
        opener.payment(cipher.encrypt("{}", payment_aad(3)), 4, "bank_transfer"),  # another claim's details
    ]
    assert cells == [UNREADABLE] * len(cells) and opener.unreadable == len(cells)
    assert opener.person(None, "u1", "phone") == "" and opener.payment("", 1, "check") == ""
    assert opener.unreadable == len(cells)


def test_an_address_that_is_not_json_goes_in_the_first_line_neutralised(opener):
    token = crypto().cipher.encrypt("=Plot 4, Kisumu", person_field_aad("u1", "address"))
    assert opener.address(token, "u1") == ("'=Plot 4, Kisumu", "", "", "")
    spaced = crypto().cipher.encrypt(' {"line1": "2 Main St", "city": "-Town"} ', person_field_aad("u1", "address"))
    assert opener.address(spaced, "u1") == ("2 Main St", "", "'-Town", "")


def test_every_cell_a_person_typed_or_that_was_decrypted_is_neutralised(client, app_ctx):
    incident = make_incident()
    db.session.add(ClaimSettings(incident_id=incident.id, currency="=X"))
    person = claimant(
        incident, "=C-1", first_name="+First", last_name="-Last", email="@mail", country="=K", region="+R",
        phone="\tphone",
    )  # fmt: skip
    address = {"line1": "=line1", "line2": "+line2", "city": "-city", "postal_code": "@postal"}
    person.encrypt_field("address", json.dumps(address))
    db.session.commit()
    make_claim(person, incident, method="paypal", details={"paypal_email": "=evil@example.org"}, attestation="\r=x")
    other = claimant(incident, "C-2")
    make_claim(other, incident, method="mobile_money", details={"provider": "@Pesa", "phone_number": "0712"})
    make_claim(claimant(incident, "C-3"), incident, method="=unknown", details={"x": "y"})
    sign_in_staff(client, Role.LEGAL)
    _, body = export(client)
    rows = read_csv(body)
    first = next(row for row in rows if row["contractor_id"] == "'=C-1")
    assert first["first_name"] == "'+First" and first["last_name"] == "'-Last" and first["email"] == "'@mail"
    assert first["phone"] == "'\tphone" and first["country"] == "'=K" and first["region"] == "'+R"
    assert [first[key] for key in ("address_line1", "address_line2", "city", "postal_code")] == [
        "'=line1", "'+line2", "'-city", "'@postal",
    ]  # fmt: skip
    assert first["payment_details"] == "'=•••@example.org" and first["attestation_name"] == "'\r'=x"
    assert first["currency"] == "'=X"
    assert {row["payment_details"] for row in rows} >= {"'@Pesa •••• 0712"}
    assert {row["payment_method"] for row in rows} >= {"'=unknown"}
    for row in rows:
        for key, cell in row.items():
            assert not cell.startswith(DANGEROUS_PREFIXES), (key, cell)


def test_benefits_are_summed_per_claim_and_each_kind_listed_once(client, app_ctx):
    incident = make_incident()
    make_claim(
        claimant(incident, "C-1"), incident,
        benefits=[("out_of_pocket", 100, 0), ("out_of_pocket", 250, 0), ("lost_time", 500, 1.5), ("monitoring", 0, 0)],
    )  # fmt: skip
    make_claim(claimant(incident, "C-2"), incident, benefits=[])
    sign_in_staff(client, Role.LEGAL)
    _, body = export(client)
    rows = {row["contractor_id"]: row for row in read_csv(body)}
    summed = [rows["C-1"][key] for key in ("benefits", "out_of_pocket_amount", "lost_time_hours", "lost_time_amount")]
    assert summed == ["lost_time; monitoring; out_of_pocket", "3.50", "1.50", "5.00"]
    assert rows["C-1"]["total_claimed"] == "8.50" and rows["C-1"]["monitoring_instead"] == "yes"
    empty = [rows["C-2"][key] for key in ("benefits", "out_of_pocket_amount", "lost_time_hours", "total_claimed")]
    assert empty == ["", "0.00", "0.00", "0.00"] and rows["C-2"]["monitoring_instead"] == "no"

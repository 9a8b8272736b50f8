"""Importing activation codes: CLI and staff page, all or nothing, duplicates by line number, audit."""

import io
import json

import pytest
from sqlalchemy import func, select

from portal.constants import AuditAction, Role
from portal.extensions import db
from portal.models import ActivationCode, AuditEvent
from portal.monitoring.codes import CodeImportRejected, import_activation_codes
from tests.factories import make_incident, sign_in_staff
from tests.monitoring.helpers import FUTURE, add_codes, codes_csv, make_product


@pytest.fixture
def product(app_ctx):
    return make_product(make_incident(enrollment_deadline=FUTURE))


def pool_size() -> int:
    return db.session.scalar(select(func.count(ActivationCode.id)))


def audit(action) -> list[dict]:
    return [json.loads(e.details) for e in db.session.scalars(select(AuditEvent).where(AuditEvent.action == action))]


def test_the_cli_imports_a_file_and_audits_it_without_the_codes(runner, product, tmp_path):
    path = tmp_path / "kroll.csv"
    path.write_bytes(b"\xef\xbb\xbfcode\r\nKR-0001\r\nKR-0002\r\n\r\n KR-0003 \r\n")  # BOM, CRLF, a blank line
    result = runner.invoke(args=["portal", "import-codes", "--product", str(product.id), str(path)])
    assert result.exit_code == 0, result.output
    assert "Imported 3 activation code(s)" in result.output
    assert pool_size() == 3
    [details] = audit(AuditAction.ACTIVATION_CODES_IMPORTED)
    assert details["codes"] == 3 and len(details["sha256"]) == 64 and "KR-0001" not in json.dumps(details)


def test_a_code_repeated_in_the_file_rejects_it_with_line_numbers_and_nothing_is_imported(runner, product, tmp_path):
    path = tmp_path / "codes.csv"
    path.write_bytes(codes_csv("A-1", "A-2", "A-1", "A-3", "A-2"))
    result = runner.invoke(args=["portal", "import-codes", "--product", str(product.id), str(path)])
    assert result.exit_code == 1
    assert "Line 4: the same code as line 2." in result.output
    assert "Line 6: the same code as line 3." in result.output
    assert "Nothing was imported" in result.output and "A-1" not in result.output
    assert pool_size() == 0
    assert audit(AuditAction.ACTIVATION_CODES_REJECTED)[0]["problems"] == 2


def test_a_code_already_in_the_pool_rejects_the_file_and_nothing_is_half_applied(product):
    add_codes(product, "OLD-1", "OLD-2")
    with pytest.raises(CodeImportRejected) as rejected:
        import_activation_codes(product, codes_csv("NEW-1", "OLD-2", "NEW-2"))
    assert rejected.value.errors == ["Line 3: this code is already in the pool."]
    assert pool_size() == 2  # NEW-1 and NEW-2 were not added either


def test_the_same_code_may_exist_in_two_products_pools(product):
    other = make_product(make_incident("other"), name="Other")
    add_codes(product, "SHARED-1")
    assert add_codes(other, "SHARED-1").added == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"activation\nA-1\n", "Line 1: the header row must name a column “code”."),
        (b"code\n", "The file has no codes under its header row."),
        (b"", "Line 1: the header row must name a column"),
        (b"code\nA-1\nhas space\n", "Line 3: not an activation code"),
        (b"code\n\xff\xfe\n", "The file is not UTF-8 text."),
    ],
)
def test_malformed_files_are_rejected_with_a_clear_message(product, data, message):
    with pytest.raises(CodeImportRejected) as rejected:
        import_activation_codes(product, data)
    assert any(error.startswith(message) for error in rejected.value.errors), rejected.value.errors
    assert pool_size() == 0


def test_extra_columns_are_ignored(product):
    assert import_activation_codes(product, b"batch,code,expires\n7,KR-1,2027-01-01\n7,KR-2,2027-01-01\n").added == 2


def test_the_cli_names_the_known_products_for_a_wrong_id(runner, product, tmp_path):
    path = tmp_path / "codes.csv"
    path.write_bytes(codes_csv("A-1"))
    result = runner.invoke(args=["portal", "import-codes", "--product", "999999", str(path)])
    assert result.exit_code == 2 and f"{product.id} (Identity Defense)" in result.output


def test_the_staff_page_imports_codes_and_shows_rejections_beside_the_file_field(app, product):
    client = app.test_client()
    sign_in_staff(client, Role.ADMIN)
    url = f"/staff/monitoring/{product.id}/codes"
    assert client.get(url).status_code == 200
    response = client.post(
        url, data={"codes_file": (io.BytesIO(codes_csv("S-1", "S-2")), "codes.csv")}, content_type="multipart/form-data"
    )
    assert response.status_code == 302 and pool_size() == 2
    response = client.post(
        url, data={"codes_file": (io.BytesIO(codes_csv("S-3", "S-1")), "codes.csv")}, content_type="multipart/form-data"
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "There is a problem: nothing was imported" in page and "Line 3: this code is already in the pool." in page
    assert pool_size() == 2
    response = client.post(url, data={}, content_type="multipart/form-data")
    assert response.status_code == 400 and "Choose a CSV file of activation codes" in response.get_data(as_text=True)


def test_only_admins_import_codes(app, product):
    client = app.test_client()
    sign_in_staff(client, Role.SUPPORT)
    assert client.get(f"/staff/monitoring/{product.id}/codes").status_code == 403

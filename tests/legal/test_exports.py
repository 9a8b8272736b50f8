import csv
import hashlib
import io
import json
import os
from datetime import UTC, datetime

import pytest
from openpyxl import load_workbook

from portal.constants import AuditAction, ClaimStatus, ExportStatus, Role
from portal.extensions import db
from portal.legal.exports import CLAIMANT_COLUMNS
from portal.models import AuditEvent, ExportJob
from tests.factories import make_incident, sign_in_staff
from tests.legal.support import claimant, make_claim

DANGEROUS_NAMES = ["=1+1", "+SUM(A1)", "-2+3", "@SUM(A1)", "\tTAB", "\rCR", '=HYPERLINK("http://x")']


def read_csv(body: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))


def export(client, fmt="csv", **filters) -> tuple[ExportJob, bytes]:
    data = {"file_format": fmt, **filters}
    response = client.post("/staff/legal/exports", data=data)
    assert response.status_code == 302, response.status_code
    job_id = int(response.location.rstrip("/").split("/")[-1])
    job = db.session.get(ExportJob, job_id)
    db.session.refresh(job)
    assert job.status == ExportStatus.READY, job.error
    download = client.get(f"/staff/legal/exports/{job_id}/download")
    assert download.status_code == 200
    assert download.headers["Content-Disposition"].startswith("attachment;")
    return job, download.get_data()


@pytest.fixture
def incident(app_ctx):
    return make_incident()


def test_filters_pick_the_right_claims(client, incident):
    other = make_incident(slug="other-incident")
    ca = claimant(incident, "C-CA", country="US", region="US-CA")
    tx = claimant(incident, "C-TX", country="US", region="US-TX")
    ke = claimant(incident, "C-KE", country="KE")
    make_claim(
        ca,
        incident,
        status=ClaimStatus.APPROVED,
        benefits=[("out_of_pocket", 12_345, 0)],
        signals=["shared_payout_account"],
        submitted_at=datetime(2026, 10, 2, tzinfo=UTC),
    )
    make_claim(
        tx,
        incident,
        status=ClaimStatus.SUBMITTED,
        benefits=[("lost_time", 5_000, 2)],
        submitted_at=datetime(2026, 10, 20, tzinfo=UTC),
    )
    make_claim(ke, incident, status=ClaimStatus.DRAFT)
    make_claim(claimant(other, "C-OTHER"), other)
    sign_in_staff(client, Role.LEGAL)

    def refs(**filters):
        _, body = export(client, **filters)
        return sorted(row["contractor_id"] for row in read_csv(body))

    assert refs(incident=str(incident.id)) == ["C-CA", "C-TX"]  # drafts are never exported
    assert refs() == ["C-CA", "C-OTHER", "C-TX"]
    assert refs(statuses="approved") == ["C-CA"]
    assert refs(benefit="lost_time") == ["C-TX"]
    assert refs(region="us-tx") == ["C-TX"]
    assert refs(country="KE") == ["C-OTHER"]  # the draft from Kenya is left out
    assert refs(fraud="any") == ["C-CA"]
    assert refs(fraud="none") == ["C-OTHER", "C-TX"]
    assert refs(fraud="shared_payout_account") == ["C-CA"]
    _, body = export(client, fraud="any", benefit="out_of_pocket")  # filters and the per-page lookups together
    row = read_csv(body)[0]
    assert row["fraud_signals"] == "shared_payout_account: shared_payout_account detail"
    assert row["out_of_pocket_amount"] == "123.45" and row["categories_exposed"] == "national_id"
    assert refs(submitted_from="2026-10-10") == ["C-OTHER", "C-TX"]
    assert refs(submitted_from="2026-10-01", submitted_to="2026-10-02") == ["C-CA"]


def test_columns_amounts_and_categories_are_as_documented(client, incident):
    person = claimant(incident, "C-1", categories=("payment", "national_id"), country="US", region="US-CA")
    make_claim(person, incident, benefits=[("out_of_pocket", 12_345, 0), ("lost_time", 7_500, 3), ("monitoring", 0, 0)])
    sign_in_staff(client, Role.LEGAL)
    _, body = export(client)
    rows = read_csv(body)
    assert list(rows[0]) == [column.key for column in CLAIMANT_COLUMNS]
    row = rows[0]
    assert row["categories_exposed"] == "national_id; payment"
    assert row["out_of_pocket_amount"] == "123.45" and row["lost_time_hours"] == "3.00"
    assert row["lost_time_amount"] == "75.00" and row["total_claimed"] == "198.45"
    assert row["monitoring_instead"] == "yes" and row["benefits"] == "lost_time; monitoring; out_of_pocket"
    assert row["address_line1"] == "1 Moi Avenue" and row["city"] == "Nairobi"
    assert row["phone"] == "'+254700000000"  # a leading + is a formula to a spreadsheet
    assert row["submitted_at"] == "2026-10-15T12:00:00+00:00" and row["decided_at"] == ""


def test_csv_cells_starting_with_a_formula_character_are_neutralised(client, incident):
    for number, name in enumerate(DANGEROUS_NAMES):
        make_claim(claimant(incident, f"C-{number}", first_name=name), incident, attestation=name)
    sign_in_staff(client, Role.LEGAL)
    _, body = export(client)
    names = {row["first_name"] for row in read_csv(body)}
    assert names == {"'" + name for name in DANGEROUS_NAMES}


def test_a_spreadsheet_with_a_semicolon_separator_sees_no_formula_cell(client, incident):
    """Opened where the list separator is ";" (most of Europe and Latin America), ``Bob;=1+1`` used to
    become ``Bob`` and a formula cell: it was neither quoted nor neutralised after the ";"."""
    make_claim(claimant(incident, "C-1", first_name="Bob;=1+1", last_name="Okafor,@SUM(A1)"), incident)
    sign_in_staff(client, Role.LEGAL)
    _, body = export(client)
    text = body.decode("utf-8-sig")
    for line in text.splitlines()[1:]:
        assert line.startswith('"') and line.endswith('"'), line  # every cell quoted
        for separator in (";", ","):
            cells = [cell.strip('"').lstrip() for cell in line.split(separator)]
            assert not [cell for cell in cells if cell.startswith(("=", "+", "@"))], (separator, cells)
    (row,) = read_csv(body)
    assert row["first_name"] == "Bob;'=1+1" and row["last_name"] == "Okafor,'@SUM(A1)"


def test_xlsx_cells_are_inert_text_and_the_manifest_is_the_second_sheet(client, incident):
    for number, name in enumerate(DANGEROUS_NAMES):
        make_claim(claimant(incident, f"C-{number}", first_name=name), incident, attestation=name)
    sign_in_staff(client, Role.LEGAL)
    job, body = export(client, fmt="xlsx")
    book = load_workbook(io.BytesIO(body))
    assert book.sheetnames == ["Export", "Manifest"]
    sheet = book["Export"]
    header = [cell.value for cell in sheet[1]]
    first, attested = header.index("first_name") + 1, header.index("attestation_name") + 1
    for row in sheet.iter_rows(min_row=2):
        for cell in (row[first - 1], row[attested - 1]):
            assert cell.data_type == "s", (cell.value, cell.data_type)  # text, never a formula
            # XML turns a stored carriage return into a line feed; either way the cell is quoted text.
            assert cell.value.startswith("'") and cell.value[1:].replace("\n", "\r") in DANGEROUS_NAMES
    amount = row[header.index("total_claimed")]
    assert amount.data_type == "n" and float(amount.value) == 100.0
    manifest = {row[0].value: row[1].value for row in book["Manifest"].iter_rows(min_row=2)}
    assert manifest["rows"] == len(DANGEROUS_NAMES) and manifest["export_id"] == job.id
    assert json.loads(manifest["columns"]) == header


def test_payment_details_are_masked_unless_legal_asks_for_them_in_full(client, incident):
    make_claim(claimant(incident, "C-1"), incident)
    sign_in_staff(client, Role.LEGAL)
    _, masked = export(client)
    assert read_csv(masked)[0]["payment_details"] == "•••• 6819"
    assert b"GB29NWBK60161331926819" not in masked
    _, full = export(client, include_payment_details="y")
    assert "account_number: GB29NWBK60161331926819" in read_csv(full)[0]["payment_details"]


def test_an_admin_exports_masked_only_and_is_refused_full_details(client, incident):
    make_claim(claimant(incident, "C-1"), incident)
    sign_in_staff(client, Role.ADMIN)
    _, masked = export(client)
    assert read_csv(masked)[0]["payment_details"] == "•••• 6819"
    assert (
        client.post("/staff/legal/exports", data={"file_format": "csv", "include_payment_details": "y"}).status_code
        == 403
    )
    assert db.session.query(ExportJob).filter_by(include_payment_details=True).count() == 0


@pytest.mark.parametrize("role", [Role.SUPPORT, Role.AUDITOR])
def test_support_and_auditor_cannot_export(client, incident, role):
    make_claim(claimant(incident, "C-1"), incident)
    sign_in_staff(client, role)
    assert client.get("/staff/legal/exports").status_code == 403
    assert client.post("/staff/legal/exports", data={"file_format": "csv"}).status_code == 403
    assert client.post("/staff/legal/exclusions", data={"file_format": "csv"}).status_code == 403
    assert db.session.query(ExportJob).count() == 0


def test_the_audit_event_carries_the_files_sha256_filters_rows_and_columns(client, incident):
    make_claim(claimant(incident, "C-1"), incident)
    make_claim(claimant(incident, "C-2"), incident, status=ClaimStatus.APPROVED)
    sign_in_staff(client, Role.LEGAL)
    for fmt in ("csv", "xlsx"):
        job, body = export(client, fmt=fmt, statuses="approved")
        event = (
            db.session.query(AuditEvent).filter_by(action=AuditAction.EXPORT_CREATED, target=f"export:{job.id}").one()
        )
        details = json.loads(event.details)
        assert details["sha256"] == hashlib.sha256(body).hexdigest() == job.sha256
        assert details["rows"] == 1 and details["filters"] == {"statuses": ["approved"]}
        assert details["columns"] == [column.key for column in CLAIMANT_COLUMNS]
        assert details["payment_details"] == "masked" and details["bytes"] == len(body)
        manifest = client.get(f"/staff/legal/exports/{job.id}/manifest.json")
        assert manifest.headers["Content-Disposition"].startswith("attachment;")
        assert manifest.get_json() == details
    downloads = db.session.query(AuditEvent).filter_by(action=AuditAction.EXPORT_DOWNLOADED).count()
    assert downloads == 2


def test_the_file_is_encrypted_at_rest_and_offered_only_to_whoever_asked(app, client, incident):
    make_claim(claimant(incident, "C-1", first_name="Zebedee"), incident)
    sign_in_staff(client, Role.LEGAL)
    job, body = export(client)
    assert b"Zebedee" in body
    stored = app.instance_path + "/exports/" + job.file_name
    with open(stored, "rb") as handle:
        assert b"Zebedee" not in handle.read()
    colleague = app.test_client()
    sign_in_staff(colleague, Role.LEGAL)
    assert colleague.get(f"/staff/legal/exports/{job.id}/download").status_code == 404
    assert colleague.get(f"/staff/legal/exports/{job.id}").status_code == 404


def running_job(user, **fields) -> ExportJob:
    """A claimant CSV export the background engine is building (or was, when it stopped)."""
    job = ExportJob(
        kind="claimants",
        file_format="csv",
        filters="{}",
        status=ExportStatus.RUNNING,
        requested_by_id=user.id,
        **fields,
    )
    db.session.add(job)
    db.session.commit()
    return job


def test_the_job_page_shows_progress_while_running_and_links_when_ready(client, incident):
    make_claim(claimant(incident, "C-1"), incident)
    user = sign_in_staff(client, Role.LEGAL)
    queued = running_job(user, total_rows=10, rows_written=4)
    page = client.get(f"/staff/legal/exports/{queued.id}")
    assert page.headers["Refresh"] == "2"
    assert b'<progress id="export-progress" max="10" value="4">' in page.data
    job, _ = export(client)
    ready = client.get(f"/staff/legal/exports/{job.id}")
    assert "Refresh" not in ready.headers and f"/staff/legal/exports/{job.id}/download".encode() in ready.data


def test_a_value_that_will_not_decrypt_is_marked_not_fatal(client, incident):
    claim = make_claim(claimant(incident, "C-1"), incident)
    other = make_claim(claimant(incident, "C-2"), incident)
    claim.payment_details_enc = other.payment_details_enc  # bound to the other claim: will not decrypt here
    db.session.commit()
    sign_in_staff(client, Role.LEGAL)
    job, body = export(client)
    values = {row["contractor_id"]: row["payment_details"] for row in read_csv(body)}
    assert values == {"C-1": "(unreadable)", "C-2": "•••• 6819"}
    assert client.get(f"/staff/legal/exports/{job.id}/manifest.json").get_json()["unreadable_cells"] == 1


def test_cli_export_writes_the_file_its_manifest_and_an_audit_event(runner, tmp_path, incident):
    make_claim(claimant(incident, "C-1", first_name="=evil()"), incident)
    make_claim(claimant(incident, "C-2", country="US", region="US-CA"), incident)
    out = tmp_path / "claimants.xlsx"
    result = runner.invoke(
        args=[
            "portal",
            "export-claimants",
            "--format",
            "xlsx",
            "--out",
            str(out),
            "--incident",
            incident.slug,
            "--region",
            "US-CA",
        ]
    )
    assert result.exit_code == 0, result.output
    manifest = json.loads((tmp_path / "claimants.xlsx.manifest.json").read_text())
    assert manifest["rows"] == 1 and manifest["sha256"] == hashlib.sha256(out.read_bytes()).hexdigest()
    event = db.session.query(AuditEvent).filter_by(action=AuditAction.EXPORT_CREATED).one()
    assert json.loads(event.details)["sha256"] == manifest["sha256"] and event.actor == "cli"
    csv_out = tmp_path / "all.csv"
    assert runner.invoke(args=["portal", "export-claimants", "--format", "csv", "--out", str(csv_out)]).exit_code == 0
    assert {row["first_name"] for row in read_csv(csv_out.read_bytes())} == {"'=evil()", "Amina"}


@pytest.mark.parametrize(
    "args, message",
    [
        (["--incident", "nope"], "No incident with slug 'nope'"),
        (["--submitted-from", "yesterday"], "is not a date"),
        (["--status", "draft"], "Invalid value"),
    ],
)
def test_cli_export_refuses_bad_input_with_a_clear_error(runner, tmp_path, incident, args, message):
    out = tmp_path / "x.csv"
    result = runner.invoke(args=["portal", "export-claimants", "--format", "csv", "--out", str(out), *args])
    assert result.exit_code != 0 and message in result.output
    assert not out.exists()


def test_cli_export_never_overwrites_a_file(runner, tmp_path, incident):
    out = tmp_path / "x.csv"
    out.write_text("keep me")
    result = runner.invoke(args=["portal", "export-claimants", "--format", "csv", "--out", str(out)])
    assert result.exit_code != 0 and "already exists" in result.output and out.read_text() == "keep me"


def test_a_build_that_stopped_long_ago_says_so_instead_of_refreshing_forever(client, incident):
    from datetime import timedelta

    from portal.core.time import utcnow

    user = sign_in_staff(client, Role.LEGAL)
    stuck = running_job(user, created_at=utcnow() - timedelta(hours=7))
    page = client.get(f"/staff/legal/exports/{stuck.id}")
    assert "Refresh" not in page.headers and "has probably stopped" in page.get_data(as_text=True)


def test_a_ready_export_whose_file_was_removed_is_not_found(app, client, incident):
    import os

    make_claim(claimant(incident, "C-1"), incident)
    sign_in_staff(client, Role.LEGAL)
    job, _ = export(client)
    os.remove(os.path.join(app.instance_path, "exports", job.file_name))
    assert client.get(f"/staff/legal/exports/{job.id}/download").status_code == 404


def test_purge_deletes_old_files_and_keeps_the_jobs_and_their_manifests(app, client, runner, incident):
    from datetime import timedelta

    from portal.core.time import utcnow

    make_claim(claimant(incident, "C-1"), incident)
    sign_in_staff(client, Role.LEGAL)
    old, _ = export(client)
    new, _ = export(client)
    old.created_at = utcnow() - timedelta(days=31)
    db.session.commit()
    old_file = os.path.join(app.instance_path, "exports", old.file_name)
    result = runner.invoke(args=["portal", "purge-exports", "--older-than-days", "30"])
    assert result.exit_code == 0 and "Deleted the files of 1 export(s)" in result.output
    assert not os.path.exists(old_file)
    assert client.get(f"/staff/legal/exports/{old.id}/download").status_code == 404
    assert client.get(f"/staff/legal/exports/{old.id}/manifest.json").status_code == 200
    assert client.get(f"/staff/legal/exports/{new.id}/download").status_code == 200
    event = db.session.query(AuditEvent).filter_by(action=AuditAction.EXPORTS_PURGED).one()
    assert json.loads(event.details)["ids"] == [old.id]


def test_the_export_page_says_its_filters_in_words_not_json(client, incident):
    sign_in_staff(client, Role.LEGAL)
    make_claim(claimant(incident, "C-CA", country="US", region="US-CA"), incident, status=ClaimStatus.APPROVED)
    filters = {"incident": str(incident.id), "statuses": ["approved", "needs_info"], "region": "us-ca"}
    job, _ = export(client, **filters, fraud="any", submitted_from="2026-10-01")
    page = client.get(f"/staff/legal/exports/{job.id}").get_data(as_text=True)
    for line in (
        f"Incident: {incident.title}",
        "Claim status: Approved, not yet paid, Waiting for the claimant to answer",
        "Region: US-CA",
        "Fraud signals: with any fraud signal",
        "Submitted on or after October 1, 2026",
    ):
        assert f"<li>{line}</li>" in page, line
    assert "{&#34;" not in page and '{"' not in page  # no JSON left on the page
    nothing, _ = export(client)
    page = client.get(f"/staff/legal/exports/{nothing.id}").get_data(as_text=True)
    assert "<li>None: every claim except drafts</li>" in page

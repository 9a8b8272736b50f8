"""The staff import page: admins only, the counts on success, the error summary on rejection."""

import html
import io
import os
import re
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from portal.constants import Role
from tests.conftest import SECRETS
from tests.factories import make_incident, sign_in_staff
from tests.imports.registers import person, table_counts, write_exposures, write_people

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def incident(app_ctx):
    return make_incident()


@pytest.fixture
def admin(client, incident):
    return sign_in_staff(client, Role.ADMIN)


def upload(path: Path, name: str):
    return io.BytesIO(path.read_bytes()), name


def post(client, incident, **files):
    return client.post(
        "/staff/import/", data={"incident_id": str(incident.id), **files}, content_type="multipart/form-data"
    )


def test_anonymous_visitors_are_sent_to_sign_in(client, incident):
    response = client.get("/staff/import/")
    assert response.status_code == 302 and "/staff/sign-in" in response.location


@pytest.mark.parametrize("role", [Role.LEGAL, Role.SUPPORT, Role.AUDITOR])
def test_only_admins_may_import(client, incident, role):
    sign_in_staff(client, role)
    assert client.get("/staff/import/").status_code == 403


def test_the_page_offers_each_incident_and_both_files(client, admin, incident):
    page = client.get("/staff/import/").get_data(as_text=True)
    assert f'<option value="{incident.id}">Contractor records breach (vendor-breach-2026)</option>' in page
    assert 'name="people_file"' in page and 'name="exposures_file"' in page
    assert 'enctype="multipart/form-data"' in page


def test_uploading_good_files_shows_the_counts(client, admin, incident, tmp_path):
    people = write_people(tmp_path / "p.csv", [person("C-1"), person("C-2")])
    exposures = write_exposures(tmp_path / "e.csv", [("C-1", "payment", "", "")])
    response = post(
        client, incident, people_file=upload(people, "register.csv"), exposures_file=upload(exposures, "exp.csv")
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200, page
    assert "Register imported" in page
    assert "<dt>People created</dt><dd>2</dd>" in page and "<dt>Exposures added</dt><dd>1</dd>" in page
    assert table_counts()["person"] == 2


def test_a_rejected_upload_lists_the_problems_and_writes_nothing(client, admin, incident, tmp_path):
    people = write_people(tmp_path / "p.csv", [person(f"C-{n}", country="XX") for n in range(55)])
    before = table_counts()
    response = post(client, incident, people_file=upload(people, "whatever.csv"))
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "The files have 55 problems. Nothing was imported." in page
    assert (
        '<a href="#people_file">people.csv line 2: country: &#39;XX&#39; is not an ISO 3166-1 alpha-2 country code</a>'
    ) in page
    assert page.count('<a href="#people_file">people.csv line') == 50
    assert "And 5 more problems." in page
    assert table_counts() == before


def test_exposure_problems_link_to_the_exposures_field(client, admin, incident, tmp_path):
    exposures = write_exposures(tmp_path / "e.csv", [("C-404", "payment", "", "")])
    page = post(client, incident, exposures_file=upload(exposures, "e.csv")).get_data(as_text=True)
    assert '<a href="#exposures_file">exposures.csv line 2: contractor_id: &#39;C-404&#39;' in page


def test_at_least_one_file_is_needed(client, admin, incident):
    response = post(client, incident)
    assert response.status_code == 400
    assert "Choose a people file, an exposures file or both" in response.get_data(as_text=True)


def test_only_csv_files_are_accepted(client, admin, incident):
    response = post(client, incident, people_file=(io.BytesIO(b"%PDF-1.7"), "register.pdf"))
    assert response.status_code == 400
    assert "The file must be a CSV file (.csv)" in response.get_data(as_text=True)


def test_the_uploaded_files_are_deleted_afterwards(client, admin, incident, tmp_path, monkeypatch):
    folders = []
    real = tempfile.TemporaryDirectory

    def remembering(*args, **kwargs):
        folder = real(*args, **kwargs)
        folders.append(Path(folder.name))
        return folder

    monkeypatch.setattr("portal.imports.routes.tempfile.TemporaryDirectory", remembering)
    people = write_people(tmp_path / "p.csv", [person("C-1", country="XX")])
    post(client, incident, people_file=upload(people, "p.csv"))
    assert folders and not any(folder.exists() for folder in folders)
    assert all("static" not in str(folder) for folder in folders)


def test_the_command_line_hint_is_a_command_that_works_when_pasted(client, admin, incident, app, tmp_path):
    """Pasted in the portal's folder with the file names changed, it imports (the old hint lacked
    ``--app app`` and ``--incident``)."""
    page = client.get("/staff/import/").get_data(as_text=True)
    command = html.unescape(re.search(r'<pre class="command"><code>(.*?)</code></pre>', page).group(1))
    assert command == f"flask --app app portal import --incident {incident.slug} people.csv exposures.csv"
    people = write_people(tmp_path / "people.csv", [person("C-2001")])
    exposures = write_exposures(tmp_path / "exposures.csv", [("C-2001", "payment", "bank account", "2026-01-05")])
    files = {"people.csv": str(people), "exposures.csv": str(exposures)}
    words = [files.get(word, word) for word in shlex.split(command)]
    env = {**os.environ, **SECRETS, "PORTAL_ENV": "testing", "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"]}
    env["PATH"] = f"{Path(sys.executable).parent}:{env['PATH']}"  # the venv's flask, as after `make`
    done = subprocess.run(words, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert table_counts()["person"] == 1

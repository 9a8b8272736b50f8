"""The letters-on-request queue made into a print file: one approval, a fresh code per letter, audited.

The file has the columns of a letter batch's file (portal/batches/letters.py, LETTER_COLUMNS), so
the print vendor takes it as it takes those; it is encrypted at rest under the same folder, and
its SHA-256 goes to the audit log when it is made and each time it is downloaded.
"""

import hashlib
import json
import os
import re
import secrets

from flask import render_template
from flask_babel import gettext as _

from portal.audit.chain import record_audit
from portal.batches.letters import (
    LETTER_COLUMNS,
    LetterFileError,
    letter_row,
    letters_folder,
    open_sealed_letter_file,
)
from portal.core.csv_safety import CsvLines, neutralise
from portal.core.time import utcnow
from portal.crypto import DecryptionError, crypto
from portal.crypto.notice_codes import generate_notice_codes, notice_code_hashes
from portal.dao.letter_requests import dao_add_letter_request_file, dao_claim_letter_requests, dao_queued_letter_ids
from portal.dao.notice_codes import dao_add_notice_codes
from portal.extensions import db
from portal.models import LetterRequestFile, Person
from portal.trust.constants import REQUESTED_LETTER_CODE_SOURCE, TrustAudit
from portal.trust.organisation import current_organisation
from portal.updates.mail import in_language_of

_FILE_NAME_RE = re.compile(r"requests-\d+-[0-9a-f]{16}\.csv\.enc")


def file_aad(file_id: int) -> str:
    return f"letter-request-file:{file_id}"


def make_letter_request_file(approved_by: int) -> LetterRequestFile | None:
    """Every queued request into one file; None if the queue was empty (or another admin just took it)."""
    ids = dao_queued_letter_ids()
    if not ids:
        return None
    letter_file = LetterRequestFile(approved_by=approved_by)
    dao_add_letter_request_file(letter_file)
    claimed = dao_claim_letter_requests(ids, letter_file.id)
    if not claimed:
        db.session.rollback()
        return None
    people = [person for _request, person in claimed]
    codes = generate_notice_codes(len(people))
    hashes = notice_code_hashes([normalized for _printed, normalized in codes])
    now = utcnow()
    dao_add_notice_codes(
        [
            {
                "person_id": person.id,
                "incident_id": None,
                "code_hash": code_hash,
                "source": REQUESTED_LETTER_CODE_SOURCE,
                "created_at": now,
            }
            for person, code_hash in zip(people, hashes, strict=True)
        ]
    )
    writer = CsvLines()
    writer.writerow(LETTER_COLUMNS)
    for person, (printed, _normalized) in zip(people, codes, strict=True):
        writer.writerow([neutralise(cell) for cell in _letter_row(person, printed)])
    plain = writer.text()
    digest = hashlib.sha256(plain.encode("utf-8")).hexdigest()
    folder = letters_folder()
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    name = f"requests-{letter_file.id}-{secrets.token_hex(8)}.csv.enc"
    fd = os.open(folder / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(crypto().cipher.encrypt(plain, file_aad(letter_file.id)))
    letter_file.file_name, letter_file.sha256, letter_file.letters = name, digest, len(people)
    record_audit(
        TrustAudit.LETTER_REQUEST_FILE_CREATED,
        f"letter-request-file:{letter_file.id}",
        {"sha256": digest, "letters": len(people)},
    )
    db.session.commit()
    return letter_file


def _letter_row(person: Person, code: str) -> tuple:
    try:
        parts = json.loads(person.decrypt_field("address") or "{}")
    except (ValueError, DecryptionError) as exc:
        raise LetterFileError(
            _("The postal address of contractor %(id)s could not be read.", id=person.contractor_id)
        ) from exc
    address = parts if isinstance(parts, dict) else {"line1": str(parts)}
    org = current_organisation()
    with in_language_of(person) as language:
        subject = _("Your new notice code")
        body = render_template(
            "trust/letter_new_code.txt", person=person, code=code, org=org, lines=org.help_lines_for(person.country)
        )
    return letter_row(person, address, language, code, subject, body)


def read_letter_request_file(letter_file: LetterRequestFile) -> tuple[bytes, str]:
    """The decrypted CSV; the download is audited (committed) before it is returned."""
    if not _FILE_NAME_RE.fullmatch(letter_file.file_name or ""):
        raise LetterFileError(_("This letter file is missing."))
    plain, digest = open_sealed_letter_file(letter_file.file_name, file_aad(letter_file.id))
    record_audit(
        TrustAudit.LETTER_REQUEST_FILE_DOWNLOADED,
        f"letter-request-file:{letter_file.id}",
        {"sha256": digest, "matches_file_made": digest == letter_file.sha256},
    )
    db.session.commit()
    return plain, digest

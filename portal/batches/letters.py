"""Letter batches: the print vendor's mail-merge file, encrypted at rest, and its audited download.

The file holds names, postal addresses and fresh notice codes, so it never sits in plain text:
it is one AES-GCM ciphertext (the field-encryption key ring, associated data ``letter:<batch id>``
so a file cannot be passed off as another batch's) under ``instance/letters/``, outside
``static/``. The SHA-256 of the plain CSV is kept on the batch and written to the audit log when
the file is made and each time it is downloaded, so what reached the vendor can be proved.
"""

import hashlib
import json
import os
import re
import secrets
from datetime import datetime
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _

from portal.audit.chain import record_audit
from portal.constants import AuditAction, BatchStatus, NoticeCodeSource
from portal.core.csv_safety import CsvLines, neutralise
from portal.crypto import DecryptionError, crypto
from portal.crypto.notice_codes import generate_notice_codes, notice_code_hashes
from portal.dao.batches import dao_get_letter_rows, dao_mark_letters_accepted
from portal.dao.incidents import dao_get_incident
from portal.dao.notice_codes import dao_add_notice_codes
from portal.dao.notification_queue import dao_attach_notice_codes
from portal.dao.templates import dao_get_template_version
from portal.extensions import db
from portal.mail.rendering import notice_values, render_notice
from portal.models import Batch, Notification, Person
from portal.sending.claim import pick_content

LETTER_COLUMNS = (
    "contractor_id",
    "first_name",
    "last_name",
    "address_line1",
    "address_line2",
    "city",
    "region",
    "postal_code",
    "country",
    "language",
    "notice_code",
    "subject",
    "body",
)
LETTER_CHUNK = 500
_FILE_NAME_RE = re.compile(r"batch-\d+-[0-9a-f]{16}\.csv\.enc")


class LetterFileError(ValueError):
    """The letter file could not be made or read; the message is fit to show the admin."""


def letters_folder() -> Path:
    return Path(current_app.instance_path) / "letters"


def letter_aad(batch_id: int) -> str:
    return f"letter:{batch_id}"


def letter_row(person: Person, address: dict, language: str, code: str, subject: str, body: str) -> tuple:
    """One line of a letter file, in LETTER_COLUMNS order: batch letters and letters on request alike."""
    return (
        person.contractor_id,
        person.first_name,
        person.last_name,
        address.get("line1", ""),
        address.get("line2", ""),
        address.get("city", ""),
        address.get("region", person.region),
        address.get("postal_code", ""),
        person.country,
        language,
        code,
        subject,
        body,
    )


def _address(person: Person) -> dict:
    try:
        text = person.decrypt_field("address")
    except DecryptionError as exc:
        raise LetterFileError(
            _("The postal address of contractor %(id)s could not be decrypted.", id=person.contractor_id)
        ) from exc
    try:
        parts = json.loads(text or "{}")
    except ValueError:
        parts = {"line1": text}
    return parts if isinstance(parts, dict) else {"line1": str(parts)}


def _issue_codes(batch: Batch, rows: list[tuple[Notification, Person]], now: datetime) -> list[str]:
    """A fresh code per letter, stored hashed and linked to its notification, issued the way the
    sending engine issues an email's; returns the printed codes (they exist nowhere else)."""
    codes = generate_notice_codes(len(rows))
    hashes = notice_code_hashes([normalized for _printed, normalized in codes])
    code_ids = dao_add_notice_codes(
        [
            {
                "person_id": person.id,
                "incident_id": batch.incident_id,
                "code_hash": code_hash,
                "source": NoticeCodeSource.NOTICE.value,
                "created_at": now,
            }
            for (_notification, person), code_hash in zip(rows, hashes, strict=True)
        ]
    )
    dao_attach_notice_codes(
        [
            {"nid": notification.id, "cid": code_id}
            for (notification, _person), code_id in zip(rows, code_ids, strict=True)
        ]
    )
    return [printed for printed, _normalized in codes]


def _letter_rows(batch: Batch, now: datetime):
    incident = dao_get_incident(batch.incident_id)
    contents = list(dao_get_template_version(batch.template_version_id).contents)
    after = 0
    while rows := dao_get_letter_rows(batch.id, after, LETTER_CHUNK):
        for code, (notification, person) in zip(_issue_codes(batch, rows, now), rows, strict=True):
            # The same choice of content as an email of the batch (language, then jurisdiction variant).
            content = pick_content(contents, notification.language, notification.jurisdiction)
            rendered = render_notice(content, notice_values(person, incident, code, notification.language))
            yield letter_row(person, _address(person), notification.language, code, rendered.subject, rendered.text)
        after = rows[-1][0].id


def produce_letter_file(batch: Batch, now: datetime) -> str:
    """Write the encrypted mail-merge file for an approved letter batch; returns its SHA-256.

    Runs inside the approval's transaction: if anything fails, no code is issued and the batch
    stays a draft. A file left on disk by a failed commit is encrypted and referenced by nothing.
    """
    writer = CsvLines()
    writer.writerow(LETTER_COLUMNS)
    letters = 0
    for row in _letter_rows(batch, now):
        writer.writerow([neutralise(cell) for cell in row])  # the vendor sees the text as written
        letters += 1
    plain = writer.text()
    digest = hashlib.sha256(plain.encode("utf-8")).hexdigest()
    folder = letters_folder()
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    name = f"batch-{batch.id}-{secrets.token_hex(8)}.csv.enc"
    # 0600: the file is encrypted, but nobody but the portal has any business reading it.
    fd = os.open(folder / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(crypto().cipher.encrypt(plain, letter_aad(batch.id)))
    batch.letter_file, batch.letter_sha256 = name, digest
    dao_mark_letters_accepted(batch.id, now)
    batch.status, batch.started_at, batch.finished_at = BatchStatus.SENT, now, now
    record_audit(AuditAction.LETTER_FILE_CREATED, f"batch:{batch.id}", {"sha256": digest, "letters": letters})
    return digest


def open_sealed_letter_file(file_name: str, aad: str) -> tuple[bytes, str]:
    """A letter file's CSV, decrypted, and its SHA-256 (batch letter files and letters on request alike)."""
    try:
        token = (letters_folder() / file_name).read_text(encoding="ascii")
        plain = crypto().cipher.decrypt(token, aad).encode("utf-8")
    except (OSError, DecryptionError) as exc:
        raise LetterFileError(_("The letter file is missing or does not decrypt. Tell the incident team.")) from exc
    return plain, hashlib.sha256(plain).hexdigest()


def read_letter_file(batch: Batch) -> tuple[bytes, str]:
    """The decrypted CSV and its SHA-256; the download is audited (committed) before it is returned."""
    if not batch.letter_file or not _FILE_NAME_RE.fullmatch(batch.letter_file):
        raise LetterFileError(_("This batch has no letter file."))
    plain, digest = open_sealed_letter_file(batch.letter_file, letter_aad(batch.id))
    record_audit(
        AuditAction.LETTER_FILE_DOWNLOADED,
        f"batch:{batch.id}",
        {"sha256": digest, "matches_file_made": digest == batch.letter_sha256},
    )
    db.session.commit()
    return plain, digest

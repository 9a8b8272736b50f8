import hashlib

from flask import Response

from portal.audit.chain import record_audit
from portal.constants import AuditAction
from portal.extensions import db


def send_download(
    body: bytes,
    mimetype: str,
    filename: str,
    person,
    file_format: str,
    reference: str,
    actor: str,
    request_id: int | None = None,
) -> Response:
    """Audited before it is sent (reference and SHA-256: what a bank or regulator checks it against)."""
    details = {"format": file_format, "reference": reference, "sha256": hashlib.sha256(body).hexdigest()}
    if request_id is not None:
        details["data_request"] = request_id
    record_audit(AuditAction.RECORD_DOWNLOADED, f"person:{person.uid}", details, actor=actor)
    db.session.commit()
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response

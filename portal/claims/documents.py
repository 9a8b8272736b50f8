"""Attaching proof files to a claim within the incident's caps, and taking them off again."""

from flask import current_app
from flask_babel import lazy_gettext as _l

from portal.claims.proof_files import delete_stored, store_file
from portal.claims.uploads import UploadRejected, check_upload, format_size, read_limited
from portal.dao.claims import dao_add, dao_delete, dao_get_claim_bytes_used, dao_get_claim_document
from portal.extensions import db
from portal.models import Claim, ClaimDocument, ClaimSettings


def chosen_files(files) -> list:
    """The FileStorage objects a form really carried (a browser sends one empty part for no file)."""
    return [storage for storage in (files or []) if storage and getattr(storage, "filename", "")]


def attach_documents(
    claim: Claim, settings: ClaimSettings, files, benefit_id: int | None = None
) -> list[ClaimDocument]:
    """Check every file first, then store them all: either each file is attached or none is.

    Raises UploadRejected naming the first problem. Adds rows to the session; the caller commits.
    """
    chosen = chosen_files(files)
    most = int(current_app.config["MAX_PROOF_FILES"])
    if len(chosen) > most:
        raise UploadRejected(_l("Choose at most %(n)d files at a time", n=most))
    checked = []
    for storage in chosen:
        checked.append(check_upload(read_limited(storage.stream, settings.max_file_bytes)))
    new_bytes = sum(len(item.data) for item in checked)
    if dao_get_claim_bytes_used(claim.id) + new_bytes > settings.max_claim_bytes:
        raise UploadRejected(
            _l(
                "The files for one claim can add up to %(size)s. Upload smaller files or fewer of them",
                size=format_size(settings.max_claim_bytes),
            )
        )
    documents = []
    try:
        for item in checked:
            document = ClaimDocument(
                claim_id=claim.id,
                benefit_id=benefit_id,
                stored_name=store_file(item.data),
                content_type=item.content_type,
                size_bytes=len(item.data),
                sha256=item.sha256,
            )
            dao_add(document)
            documents.append(document)
        db.session.flush()
    except Exception:
        for document in documents:
            delete_stored(document.stored_name)
        raise
    return documents


def remove_documents(claim: Claim, document_ids) -> list[str]:
    """Delete the rows; return the stored names, for ``delete_files`` once the deletion is committed."""
    names = []
    for document_id in document_ids:
        document = dao_get_claim_document(claim.id, int(document_id))
        if document is not None:
            names.append(document.stored_name)
            dao_delete(document)
    db.session.flush()
    return names


def delete_files(stored_names) -> None:
    for name in stored_names:
        delete_stored(name)
